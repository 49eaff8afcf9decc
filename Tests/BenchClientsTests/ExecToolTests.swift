@testable import BenchClients
import BenchCore
import Foundation
import XCTest

/// The parts of an exec client that need no tool: rendering its argv, reading its output and its
/// per-request log. (The tools themselves run against real servers in EndToEndTests.ExecClientTests.)
final class ExecToolTests: XCTestCase {
    private func params(_ command: [String], settings: [String: String] = ["scale": "1"], log: ExecLatencyLog? = nil) -> ExecParams {
        ExecParams(command: command, setup: [["init", "-s", "{{set.scale}}", "{{host}}:{{port}}"]], metrics: [],
                   latencyLog: log, settings: settings)
    }

    func testPlaceholdersTakeTheTargetAndTheRunsShape() throws {
        let p = params(["tool", "{{host}}", "{{port.main}}", "-c", "{{concurrency}}", "-T", "{{duration_s}}", "-R", "{{rate}}",
                        "--seed={{seed}}", "--log={{run_dir}}/x", "{{set.scale}}"],
                       settings: ["scale": "10"], log: ExecLatencyLog(files: "{{run_dir}}/x*", latencyColumn: 3))
        let plan = LoadPlan(host: "10.0.0.5", port: 5432, mode: .open, concurrency: 8, rate: 250, duration: 29.5, warmup: 5, seed: 7)
        let invocation = try ExecInvocation.render(p, plan: plan, host: "10.0.0.5", port: 5432, portName: "main", runDirectory: "/runs/r1.exec")
        XCTAssertEqual(invocation.measured, ["tool", "10.0.0.5", "5432", "-c", "8", "-T", "30", "-R", "250", "--seed=7", "--log=/runs/r1.exec/x", "10"])
        XCTAssertEqual(invocation.warmup?[6], "5", "the warm-up is the same command for the warm-up's length")
        XCTAssertEqual(invocation.setup, [["init", "-s", "10", "10.0.0.5:5432"]])
        XCTAssertEqual(invocation.latencyLogFiles, "/runs/r1.exec/x*")
    }

    func testARunTheRecipeCannotDescribeIsRefused() {
        let timed = params(["tool", "-T", "{{duration_s}}"])
        let counted = params(["tool", "-n", "{{requests}}"])
        let closed = LoadPlan(host: "h", port: 1, duration: 10)
        func refusal(_ p: ExecParams, _ plan: LoadPlan) -> String {
            do {
                _ = try ExecInvocation.render(p, plan: plan, host: "h", port: 1, portName: "main", runDirectory: "/d")
                return "accepted"
            } catch {
                return "\(error)"
            }
        }
        XCTAssertEqual(refusal(timed, LoadPlan(host: "h", port: 1, duration: nil, requests: 100)),
                       "client run: --requests: this exec recipe's command has no {{requests}}, so the tool cannot be told to stop after a count; use --duration")
        XCTAssertEqual(refusal(counted, closed),
                       "client run: params.command: no value for placeholder '{{requests}}' (it needs --requests N; this tool stops after a count, not a time)")
        XCTAssertEqual(refusal(counted, LoadPlan(host: "h", port: 1, duration: nil, requests: 5, warmup: 2)),
                       "client run: --warmup 2s: this exec recipe's command has no {{duration_s}}, so no shorter warm-up run can be made; use --warmup 0s")
        XCTAssertEqual(refusal(params(["tool", "-R", "{{rate}}", "-T", "{{duration_s}}"]), closed),
                       "client run: params.command: no value for placeholder '{{rate}}' (it needs --rate R)")
    }

    func testFiguresAreReadByRegexAndJSONPathOrTheRunFails() throws {
        let pgbench = """
            number of transactions actually processed: 10,436
            latency average = 3.773 ms
            tps = 2086.468067 (without initial connection time)
            """
        let metrics = [ExecMetric(name: "tps", source: .regex(#"tps = ([0-9.]+) \(without"#)),
                       ExecMetric(name: "tx", source: .regex("processed: ([0-9,]+)"))]
        let values = try ExecOutputReader.read(metrics, from: pgbench, tool: "pgbench")
        XCTAssertEqual(values.map(\.0), ["tps", "tx"])
        XCTAssertEqual(values.map(\.1), [2086.468067, 10436])

        let json = #"{"totals": {"ops": "1500.5"}, "runs": [{"p99": 1.25}, {"p99": 2.5}]}"#
        let fromJSON = try ExecOutputReader.read([ExecMetric(name: "ops", source: .json("totals.ops")),
                                                  ExecMetric(name: "p99", source: .json("runs[1].p99"))], from: json, tool: "t")
        XCTAssertEqual(fromJSON.map(\.1), [1500.5, 2.5])

        XCTAssertThrowsError(try ExecOutputReader.read([ExecMetric(name: "qps", source: .regex("qps: ([0-9]+)"))], from: pgbench, tool: "pgbench")) {
            XCTAssertEqual("\($0)", """
                metric 'qps': no match for /qps: ([0-9]+)/ in the output of pgbench; its last lines:
                    number of transactions actually processed: 10,436
                    latency average = 3.773 ms
                    tps = 2086.468067 (without initial connection time)
                """)
        }
        XCTAssertThrowsError(try ExecOutputReader.read([ExecMetric(name: "x", source: .json("a.b"))], from: "", tool: "t")) {
            XCTAssertEqual("\($0)", "metric 'x': the output of t is not JSON (it printed nothing)")
        }
    }

    func testAPerRequestLogFillsTheHistogramsAndCountsFailures() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bench-exec-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        // pgbench -l with -R: client, transaction, latency us, script, epoch, epoch us, lag us.
        try "0 1 1500 0 1733450000 10 200\n0 2 2500 0 1733450000 20 0\n1 1 failed 0 1733450000 30 0\n".write(
            to: directory.appendingPathComponent("pgbench_log.42"), atomically: true, encoding: .utf8)
        try "1 2 4000 0 1733450001 10 1000\n".write(to: directory.appendingPathComponent("pgbench_log.42.1"), atomically: true, encoding: .utf8)
        try "ignored\n".write(to: directory.appendingPathComponent("other.txt"), atomically: true, encoding: .utf8)
        let log = ExecLatencyLog(files: directory.path + "/pgbench_log*", latencyColumn: 3, lagColumn: 7, unit: .us)
        let files = ExecLatencyLogReader.files(matching: log.files)
        XCTAssertEqual(files.map { URL(fileURLWithPath: $0).lastPathComponent }, ["pgbench_log.42", "pgbench_log.42.1"])
        let snapshot = try ExecLatencyLogReader.read(log, files: files)
        XCTAssertEqual(snapshot.ok, 3)
        XCTAssertEqual(snapshot.errors[.status], 1)
        XCTAssertEqual(snapshot.serviceTime.max, 4003, accuracy: 5, "4.0 ms, at 3 significant digits")
        XCTAssertEqual(snapshot.responseTime.max, 5003, accuracy: 5, "latency + lag")
        XCTAssertEqual(snapshot.senderLag.totalCount, 3)

        try "0 1 abc 0\n".write(to: directory.appendingPathComponent("pgbench_log.bad"), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try ExecLatencyLogReader.read(log, files: [directory.path + "/pgbench_log.bad"])) {
            XCTAssertEqual("\($0)", "latency log \(directory.path)/pgbench_log.bad:1: column 3 (latency) is not a number: '0 1 abc 0'")
        }
    }
}
