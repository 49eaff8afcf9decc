import Foundation
import XCTest

/// External tools as clients (kind exec), each against the real server bench started, with the
/// server's own counters as the witness where it has them, and every way a tool can go wrong.
final class ExecClientTests: XCTestCase {
    var bench: BenchProcess!

    override func setUpWithError() throws { bench = try BenchProcess() }
    override func tearDown() { bench.cleanUp() }

    private func result(_ session: String, _ run: String) throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(bench.read("sessions/\(session)/runs/\(run).json").utf8)) as? [String: Any])
    }

    private func metric(_ run: [String: Any], _ name: String) -> Double? {
        (run["kind_metrics"] as? [String: Any])?[name] as? Double
    }

    /// Rows of a table as PostgreSQL counts them.
    private func psqlCount(port: Int, _ sql: String) throws -> Int? {
        let psql = Process()
        psql.executableURL = URL(fileURLWithPath: "/usr/bin/psql")
        psql.arguments = ["-h", "127.0.0.1", "-p", String(port), "-U", "postgres", "-d", "postgres", "-tAc", sql]
        let out = Pipe()
        psql.standardOutput = out
        try psql.run()
        psql.waitUntilExit()
        return Int(String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }

    func testPgbenchAgainstPostgresCountsWhatThePostgresHistoryHolds() throws {
        let output = try bench.run(["--session", "pg", "-c", "server start postgres", "-c", "server list",
                                    "-c", "client run pgbench-tpcb --target s1 --duration 3s --concurrency 4 --set scale=1 --quiet",
                                    "-c", "detach"])
        defer { _ = try? bench.run(["--cleanup", "pg"]) }
        XCTAssertEqual(output.status, 0, output.stderr + output.stdout)
        let run = try result("pg", "r1")
        XCTAssertEqual(run["status"] as? String, "completed")
        let tps = try XCTUnwrap(metric(run, "tps"))
        XCTAssertGreaterThan(tps, 0)
        let transactions = try XCTUnwrap(metric(run, "transactions"))
        let counts = try XCTUnwrap(run["counts"] as? [String: Any])
        // Three witnesses agree: pgbench's summary, its per-transaction log (bench's counts), and the
        // rows TPC-B inserted into pgbench_history (one per transaction).
        XCTAssertEqual(counts["ok"] as? Int, Int(transactions))
        let port = try XCTUnwrap(ServiceProbes.port(ServiceProbes.servers(in: bench.directory, session: "pg")["s1"]))
        XCTAssertEqual(try psqlCount(port: port, "select count(*) from pgbench_history"), Int(transactions))
        let p50 = try XCTUnwrap(((run["latency"] as? [String: Any])?["service_time"] as? [String: Any])?["p50_ms"] as? Double)
        XCTAssertGreaterThan(p50, 0)
        XCTAssertTrue(FileManager.default.fileExists(atPath: bench.directory.appendingPathComponent("sessions/pg/runs/r1.exec/run.log").path))
        XCTAssertTrue(output.stdout.contains("exec metrics"), output.stdout)
    }

    func testRedisBenchmarkAndMemcslapLandBesideNativeRuns() throws {
        let output = try bench.run(["--session", "tools", "-c", "server start redis", "-c", "server start memcached",
                                    "-c", "client run redis-benchmark --target s1 --requests 2000 --concurrency 5 --quiet",
                                    "-c", "client run memcslap --target s2 --requests 500 --concurrency 2 --quiet"])
        XCTAssertEqual(output.status, 0, output.stderr + output.stdout)
        let redis = try result("tools", "r1")
        XCTAssertGreaterThan(metric(redis, "get_rps") ?? 0, 0)
        XCTAssertGreaterThan(metric(redis, "set_rps") ?? 0, 0)
        let memcslap = try result("tools", "r2")
        XCTAssertEqual(metric(memcslap, "operations"), 1000, "500 per thread, 2 threads")
        XCTAssertEqual((memcslap["counts"] as? [String: Any])?["ok"] as? Int, 1000)
    }

    func testEveryWayAToolCanFailIsAClearFailure() throws {
        try bench.write("recipes/clients/missing-tool.yaml", """
            name: missing-tool
            kind: exec
            target: redis
            params:
              package: no-such-package
              command: [no-such-benchmark-tool, "{{host}}"]
            """)
        try bench.write("recipes/clients/no-match.yaml", """
            name: no-match
            kind: exec
            target: redis
            workload: {requests: 1}
            params:
              command: [echo, "served {{requests}} requests"]
              metrics:
                qps: {regex: 'qps = ([0-9]+)'}
            """)
        try bench.write("recipes/clients/exits-badly.yaml", """
            name: exits-badly
            kind: exec
            target: redis
            workload: {requests: 1}
            params:
              command: [sh, -c, "echo connecting to {{host}}; echo refused >&2; exit 3", "{{requests}}"]
            """)
        try bench.write("recipes/clients/hangs.yaml", """
            name: hangs
            kind: exec
            target: redis
            workload: {duration: 1s}
            params:
              command: [sh, -c, "sleep 300 & echo $! > {{run_dir}}/child.pid; wait", "{{duration_s}}"]
              grace: 1s
            """)
        let output = try bench.run(["--session", "bad", "--continue-on-error",
                                    "-c", "client run missing-tool --target 127.0.0.1:1",
                                    "-c", "client run no-match --target 127.0.0.1:1",
                                    "-c", "client run exits-badly --target 127.0.0.1:1",
                                    "-c", "client run hangs --target 127.0.0.1:1"])
        XCTAssertEqual(output.status, 1)
        XCTAssertTrue(output.stderr.contains("<command>:1: error: client run: no-such-benchmark-tool is not installed or not on PATH; "
            + "it is in Debian's 'no-such-package' package (apt-get install no-such-package)"), output.stderr)
        XCTAssertTrue(output.stderr.contains("<command>:2: error: r1 failed: metric 'qps': no match for /qps = ([0-9]+)/ in the output of echo; "
            + "its last lines:\n    served 1 requests"), output.stderr)
        XCTAssertTrue(output.stderr.contains("<command>:3: error: r2 failed: the measured run (sh) exited(3); its last lines:\n    connecting to 127.0.0.1\n    refused"),
                      output.stderr)
        XCTAssertTrue(output.stderr.contains("<command>:4: error: r3 failed: the measured run (sh) was still running after 2.0 seconds"), output.stderr)
        // The hung tool's child went with it: no orphan.
        let child = try XCTUnwrap(Int32(bench.read("sessions/bad/runs/r3.exec/child.pid").trimmingCharacters(in: .whitespacesAndNewlines)))
        let stat = (try? String(contentsOfFile: "/proc/\(child)/stat", encoding: .utf8)) ?? ""
        XCTAssertTrue(stat.isEmpty || stat.contains(") Z "), "the tool's child outlived it: \(stat)")
        let script = try bench.read("sessions/bad.bench")
        XCTAssertTrue(script.contains("# failed: client run hangs --target 127.0.0.1:1 --seed 1  # -> r3"), script)
    }
}
