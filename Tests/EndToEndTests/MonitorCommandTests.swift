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
        sleep 2s
        client run redis-get-set --target s1 --duration 10s --warmup 0s --concurrency 10
        sleep 2s
        monitor export m1 --run r1
        monitor export m1 --last 40s --query total=redis_commands_processed_total --out around-r1.json
        monitor export m1 --run r1 --format csv
        monitor targets m1
        monitor query m1 'rate(redis_commands_processed_total[5s'
        monitor status
        """)
        XCTAssertEqual(result.status, 1, "one attach and one query are meant to fail: \(result.stderr)")
        XCTAssertTrue(result.stderr.contains("<stdin>:4: error: unknown server handle 's9'"), result.stderr)
        XCTAssertTrue(result.stderr.contains("<stdin>:12: error: "), result.stderr)
        XCTAssertTrue(result.stderr.lowercased().contains("parse error"), result.stderr)
        XCTAssertTrue(result.stdout.contains("up"), result.stdout)

        // The run's result carries the monitor's summary of redis' command rate over its window.
        let data = try Data(contentsOf: bench.directory.appendingPathComponent("sessions/mon/runs/r1.json"))
        let run = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        let queries = try XCTUnwrap(((run["monitor"] as? [String: Any])?["m1"] as? [String: Any])?["queries"] as? [String: Any], "\(run["monitor"] ?? "no monitor section")")
        XCTAssertNotNil((queries["redis_commands_per_s"] as? [String: Any])?["mean"] as? Double, "\(queries)")

        // Attach returns once Prometheus has scraped the target (file discovery alone takes up to 5 s,
        // which a fixed pause used to race); the 2 s pause puts a point of the query's 1 s grid between
        // that first scrape and the run's start.
        // Redis' command counter, as Prometheus scraped it just before and just after the run,
        // rose by the number of requests the client sent, within 10% (the exporter's own INFO
        // commands are the rest).
        let around = try bench.read("around-r1.json")
        let export = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(around.utf8)) as? [String: Any])
        let series = try XCTUnwrap((((export["queries"] as? [String: Any])?["total"] as? [String: Any])?["series"] as? [[String: Any]])?.first)
        let samples = (series["values"] as? [[Any]] ?? []).compactMap { pair -> (Double, Double)? in
            guard let t = pair.first as? Double, let v = pair.last as? Double else { return nil }
            return (t, v)
        }
        let iso = ISO8601DateFormatter()
        iso.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let started = try XCTUnwrap(iso.date(from: run["started_at"] as? String ?? "")).timeIntervalSince1970
        let ended = try XCTUnwrap(iso.date(from: run["ended_at"] as? String ?? "")).timeIntervalSince1970
        let before = try XCTUnwrap(samples.last { $0.0 <= started }, "\(samples)")
        let after = try XCTUnwrap(samples.first { $0.0 >= ended }, "\(samples)")
        let sent = try XCTUnwrap((run["counts"] as? [String: Any])?["sent"] as? Int)
        XCTAssertEqual(after.1 - before.1, Double(sent), accuracy: Double(sent) * 0.10)
        let exported = try bench.read("sessions/mon/monitors/m1/export-r1.json")
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
