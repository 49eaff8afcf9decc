import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// A real Prometheus attached by handle: the run's result gets the server's side, exports cover the run.
final class MonitorCommandTests: XCTestCase {
    var bench: BenchProcess!

    override func setUpWithError() throws { bench = try BenchProcess() }

    override func tearDown() {
        _ = try? bench.run(["--cleanup"])
        bench.cleanUp()
    }

    func testPrometheusAttachedToRedisSummarisesTheRunAndExportsIt() throws {
        let result = try bench.run(["--session", "mon", "--continue-on-error"], stdin: """
        server start redis
        monitor start prometheus
        monitor attach m1 s1
        monitor attach m1 s9
        sleep 3s
        client run redis-get-set --target s1 --duration 10s --warmup 0s --concurrency 10
        monitor export m1 --run r1 --query total=redis_commands_processed_total
        monitor export m1 --run r1 --format csv
        monitor targets m1
        monitor query m1 'rate(redis_commands_processed_total[5s'
        monitor status
        """)
        XCTAssertEqual(result.status, 1, "one attach and one query are meant to fail: \(result.stderr)")
        XCTAssertTrue(result.stderr.contains("<stdin>:4: error: unknown server handle 's9'"), result.stderr)
        XCTAssertTrue(result.stderr.contains("<stdin>:10: error: "), result.stderr)
        XCTAssertTrue(result.stderr.lowercased().contains("parse error"), result.stderr)
        XCTAssertTrue(result.stdout.contains("up"), result.stdout)

        // The run's result carries the monitor's summary of redis' command rate over its window.
        let data = try Data(contentsOf: bench.directory.appendingPathComponent("sessions/mon/runs/r1.json"))
        let run = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        let clientRate = try XCTUnwrap((run["throughput"] as? [String: Any])?["requests_per_s"] as? Double)
        let queries = try XCTUnwrap(((run["monitor"] as? [String: Any])?["m1"] as? [String: Any])?["queries"] as? [String: Any], "\(run["monitor"] ?? "no monitor section")")
        XCTAssertNotNil((queries["redis_commands_per_s"] as? [String: Any])?["mean"] as? Double, "\(queries)")

        // In the export, the slope of redis' command counter while the run went on (samples inside
        // its window) matches the client's request rate within 10%.
        let exported = try bench.read("sessions/mon/monitors/m1/export-r1.json")
        let export = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(exported.utf8)) as? [String: Any])
        let window = try XCTUnwrap(export["window"] as? [String: Any])
        let start = try XCTUnwrap(window["start_unix"] as? Double), end = try XCTUnwrap(window["end_unix"] as? Double)
        let series = try XCTUnwrap((((export["queries"] as? [String: Any])?["total"] as? [String: Any])?["series"] as? [[String: Any]])?.first)
        let inside = (series["values"] as? [[Any]] ?? []).compactMap { pair -> (Double, Double)? in
            guard let t = pair.first as? Double, let v = pair.last as? Double, t >= start + 1.5, t <= end - 1.5 else { return nil }
            return (t, v)
        }
        let first = try XCTUnwrap(inside.first, "\(series)"), last = try XCTUnwrap(inside.last)
        XCTAssertGreaterThan(last.0 - first.0, 4)
        let seen = (last.1 - first.1) / (last.0 - first.0)
        XCTAssertEqual(seen, clientRate, accuracy: clientRate * 0.10)
        XCTAssertTrue(exported.contains("\"schema\" : \"bench.monitor/1\"") || exported.contains("\"schema\":\"bench.monitor/1\""), String(exported.prefix(300)))
        XCTAssertTrue(exported.contains("redis_commands_per_s"))
        XCTAssertTrue(try bench.read("sessions/mon/monitors/m1/export-r1.csv").hasPrefix("name,labels,timestamp,value"))
        // A SIGKILLed bench leaves Prometheus running; --cleanup finds it in state.json and stops it.
        let (process, input, _, _) = try bench.start(["--session", "monkill"])
        input.fileHandleForWriting.write(Data("monitor start prometheus\n".utf8))
        var prometheusPid: Int32?
        BenchProcess.waitUntil(30, "prometheus recorded in state.json") {
            guard let data = try? Data(contentsOf: self.bench.directory.appendingPathComponent("sessions/monkill/state.json")),
                  let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                  let processes = (object["auxiliary"] as? [String: Any])?["m1"] as? [[String: Any]],
                  let pid = processes.first?["pid"] as? Int else { return false }
            prometheusPid = Int32(pid)
            return true
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let pid = try XCTUnwrap(prometheusPid)
        XCTAssertTrue(ServiceProbes.groupIsAlive(pid))
        let cleanup = try bench.run(["--cleanup"])
        XCTAssertTrue(cleanup.stdout.contains("monkill: stopped m1's processes"), cleanup.stdout)
        BenchProcess.waitUntil(10, "prometheus gone") { !ServiceProbes.groupIsAlive(pid) }

        // Leaving bench stops Prometheus too.
        XCTAssertTrue(result.stderr.contains("stopped m1 on exit"), result.stderr)
    }
}
