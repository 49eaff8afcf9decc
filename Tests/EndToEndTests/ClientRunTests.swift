import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// `client run` against real nginx and redis started by bench: results, recording, faults.
final class ClientRunTests: XCTestCase {
    var bench: BenchProcess!

    override func setUpWithError() throws { bench = try BenchProcess() }

    override func tearDown() {
        _ = try? bench.run(["--cleanup"])
        bench.cleanUp()
    }

    private func resultFile(_ session: String, _ run: String) throws -> [String: Any] {
        let data = try Data(contentsOf: bench.directory.appendingPathComponent("sessions/\(session)/runs/\(run).json"))
        return try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    func testClosedAndOpenLoopRunsWriteVersionedResultsAndReplay() throws {
        let result = try bench.run(["--session", "load"], stdin: """
        server start nginx
        server start redis
        client run nginx-get --target s1 --duration 2s --warmup 500ms --concurrency 10
        client run redis-get-set --target s2 --requests 5000 --set pipeline=4
        client run nginx-get --target s1 --rate 500 --duration 2s --seed 7
        client run nginx-get --target s1 --rate 200 --duration 1s --arrival poisson --seed 7
        show r1
        client status
        """)
        XCTAssertEqual(result.status, 0, result.stderr)
        let r1 = try resultFile("load", "r1")
        XCTAssertEqual(r1["schema"] as? String, "bench.run/1")
        let counts = try XCTUnwrap(r1["counts"] as? [String: Any])
        XCTAssertGreaterThan(counts["ok"] as? Int ?? 0, 100)
        let latency = try XCTUnwrap(r1["latency"] as? [String: Any])
        XCTAssertNotNil(latency["service_time"])
        XCTAssertNotNil(latency["response_time"])
        XCTAssertNotNil((r1["histograms"] as? [String: Any])?["response_time"])
        XCTAssertFalse((r1["time_series"] as? [Any] ?? []).isEmpty)

        let r2 = try resultFile("load", "r2")
        XCTAssertEqual((r2["counts"] as? [String: Any])?["completed"] as? Int, 5000)
        // What --set changed is part of the result.
        XCTAssertEqual((r2["recipe"] as? [String: Any])?["overrides"] as? [String: String], ["pipeline": "4"])
        XCTAssertNil((r1["recipe"] as? [String: Any])?["overrides"], "no --set, no overrides")

        // Open loop at 500/s constant for 2 s: the rate is kept.
        let r3 = try resultFile("load", "r3")
        let perSecond = try XCTUnwrap((r3["throughput"] as? [String: Any])?["requests_per_s"] as? Double)
        XCTAssertEqual(perSecond, 500, accuracy: 25)
        XCTAssertEqual((r3["workload"] as? [String: Any])?["seed"] as? Int, 7)
        XCTAssertEqual((try resultFile("load", "r4")["workload"] as? [String: Any])?["arrival"] as? String, "poisson")

        // The script carries the resolved seed of every run, so a replay sends the same schedule.
        let script = try bench.read("sessions/load.bench")
        XCTAssertTrue(script.contains("client run nginx-get --target s1 --duration 2s --warmup 500ms --concurrency 10 --seed 1  # -> r1"), script)
        XCTAssertTrue(result.stdout.contains("response time"), result.stdout)
        XCTAssertTrue(result.stdout.contains("service time"), result.stdout)

        let replay = try bench.run(["--replay", "sessions/load.bench"])
        XCTAssertEqual(replay.status, 0, replay.stderr)
        XCTAssertFalse(replay.stderr.contains("handles differ"), replay.stderr)
    }

    func testBadInputAndATargetThatDiesMidRun() throws {
        try bench.write("recipes/servers/never.yaml", "service:\n  command: [sleep, \"60\"]\nports:\n  main: auto\nreadiness:\n  type: tcp\n  timeout: 30s\n")
        let result = try bench.run(["--session", "bad", "--continue-on-error"], stdin: """
        client run nginx-get --target s9 --duration 1s
        server start nginx
        client run nginx-get --target s1 --port admin --duration 1s
        client run nginx-get --target s1 --rate 0 --duration 1s
        client run nginx-get --target s1 --concurrency 0 --duration 1s
        client run nginx-get --target 127.0.0.1:1 --duration 1s --warmup 0s
        client run nginx-get --target s1 --duration 0s
        server start never --no-wait
        client run nginx-get --target s2 --duration 1s
        client run nginx-get --target https://example.invalid:443 --duration 1s
        client run nginx-get --target s1 --concurrency 5000000 --duration 1s
        client run nginx-get --target http://127.0.0.1:1/nginx_status --duration 1s
        client run nginx-get --target redis://127.0.0.1:1 --duration 1s
        client run nginx-get --target s1 --arrival poisson --duration 1s
        client run nginx-get --target s1 --duration 1s --requests 10
        """)
        XCTAssertEqual(result.status, 1)
        let err = result.stderr
        XCTAssertTrue(err.contains("<stdin>:1: error: client run: --target s9: unknown server handle 's9'"), err)
        XCTAssertTrue(err.contains("<stdin>:3: error: client run: --port admin: server s1 (nginx) has no port 'admin'"), err)
        XCTAssertTrue(err.contains("<stdin>:4: error: client run: --rate: 0 is too small"), err)
        XCTAssertTrue(err.contains("<stdin>:5: error: client run: --concurrency: 0 is too small"), err)
        XCTAssertTrue(err.contains("<stdin>:7: error: client run: --duration must be more than 0 (or give --requests)"), err)
        XCTAssertTrue(err.contains("<stdin>:9: error: client run: target s2 (never) is not ready: starting; 'wait s2' first"), err)
        XCTAssertTrue(err.contains("<stdin>:10: error: client run: --target https://example.invalid:443: scheme 'https' is not supported"), err)
        // More connections than the process may open files (after bench lifted its soft limit to the hard one).
        XCTAssertTrue(err.contains("<stdin>:11: error: client run: --concurrency 5000000 needs 5000000 connections, but this process may open "), err)
        XCTAssertTrue(err.contains("(ulimit -n) and keeps 256 for itself; use --concurrency "), err)
        // An address's path and scheme cannot silently differ from what the recipe sends.
        XCTAssertTrue(err.contains("<stdin>:12: error: client run: --target http://127.0.0.1:1/nginx_status: the request path comes from "
            + "recipe 'nginx-get', not from the address; give http://127.0.0.1:1 and --set path=/nginx_status"), err)
        XCTAssertTrue(err.contains("<stdin>:13: error: client run: --target redis://127.0.0.1:1: a redis address, but recipe 'nginx-get' "
            + "is of kind http; give http://host:port or host:port"), err)
        XCTAssertTrue(err.contains("<stdin>:14: error: client run: --arrival poisson shapes an open loop's schedule; give --rate R too"), err)
        XCTAssertTrue(err.contains("<stdin>:15: error: client run: give --duration or --requests, not both"), err)
        // An address nobody listens on: the run goes on, counting connect errors.
        let r1 = try resultFile("bad", "r1")
        XCTAssertGreaterThan(((r1["counts"] as? [String: Any])?["errors"] as? [String: Any])?["connect"] as? Int ?? 0, 0)

        // The target killed during a run: status target-failed, partial results kept.
        let (process, input, _, errors) = try bench.start(["--session", "dies"])
        input.fileHandleForWriting.write(Data("server start nginx\nclient run nginx-get --target s1 --duration 20s --warmup 0s --concurrency 4\n".utf8))
        var pid: Int32?
        BenchProcess.waitUntil(15, "nginx ready") {
            let servers = ServiceProbes.servers(in: bench.directory, session: "dies")
            pid = ServiceProbes.pid(servers["s1"])
            return ServiceProbes.isReady(servers["s1"])
        }
        Thread.sleep(forTimeInterval: 2)
        kill(-(pid ?? 0), SIGKILL)
        try input.fileHandleForWriting.close()
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let r = try resultFile("dies", "r1")
        XCTAssertEqual(r["status"] as? String, "target-failed", stderr)
        XCTAssertGreaterThan((r["counts"] as? [String: Any])?["ok"] as? Int ?? 0, 0)
    }

    /// memcached started by bench, loaded by the memcached kind, with memcached's own `stats` as the independent
    /// witness: every GET, hit, miss and SET bench reports (warm-up included, which the server saw too) is one the
    /// server counted, over each of the three ways to name the target.
    func testMemcachedRunsMatchTheServersOwnCounters() throws {
        let (process, input, output, errors) = try bench.start(["--session", "cache", "--continue-on-error"])
        func send(_ line: String) { input.fileHandleForWriting.write(Data((line + "\n").utf8)) }
        var exited = false
        defer {
            if !exited {
                try? input.fileHandleForWriting.close()
                process.waitUntilExit()
            }
        }
        send("server start memcached")
        var servers: [String: [String: Any]] = [:]
        BenchProcess.waitUntil(20, "memcached ready") {
            servers = ServiceProbes.servers(in: bench.directory, session: "cache")
            return ServiceProbes.isReady(servers["s1"]) || !process.isRunning
        }
        let port = try XCTUnwrap(ServiceProbes.port(servers["s1"]))
        func runFinished(_ run: String) {
            BenchProcess.waitUntil(30, "\(run) written") {
                FileManager.default.fileExists(atPath: bench.directory.appendingPathComponent("sessions/cache/runs/\(run).json").path)
                    || !process.isRunning
            }
        }

        // The shipped recipe as the README runs it: mixed 1:10, 50 connections, 1 s of warm-up, 2 s measured.
        let before = ServiceProbes.memcachedStats(port: port)
        XCTAssertNotNil(before["cmd_get"], "memcached answers stats")
        send("client run memcached-get-set --target s1 --duration 2s")
        runFinished("r1")
        let afterR1 = ServiceProbes.memcachedStats(port: port)
        // An open loop over memcached:// with a pipeline and no warm-up, then SETs with an expiry over host:port.
        send("client run memcached-get-set --target memcached://127.0.0.1:\(port) --requests 3000 --rate 3000 --warmup 0s --set command=get --set pipeline=4")
        runFinished("r2")
        let afterR2 = ServiceProbes.memcachedStats(port: port)
        send("client run memcached-get-set --target 127.0.0.1:\(port) --requests 1000 --warmup 0s --set command=set --set ttl=1h")
        runFinished("r3")
        let afterR3 = ServiceProbes.memcachedStats(port: port)
        send("client run memcached-get-set --target redis://127.0.0.1:\(port) --duration 1s")
        send("client run memcached-get-set --target s1 --duration 1s --set pipeline=2000")
        send("client run memcached-get-set --target s1 --duration 1s --set ttl=1.5s")
        send("show r1")
        try input.fileHandleForWriting.close()
        let stdout = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        exited = true

        func delta(_ a: [String: Int], _ b: [String: Int], _ key: String) -> Int { (b[key] ?? 0) - (a[key] ?? 0) }
        func number(_ metrics: [String: Any], _ key: String) -> Int { (metrics[key] as? NSNumber)?.intValue ?? -1 }

        let r1 = try resultFile("cache", "r1")
        XCTAssertEqual(r1["status"] as? String, "completed", stderr)
        let counts = try XCTUnwrap(r1["counts"] as? [String: Any])
        let metrics = try XCTUnwrap(r1["kind_metrics"] as? [String: Any])
        let (hits, misses, stored) = (number(metrics, "get_hits"), number(metrics, "get_misses"), number(metrics, "set_stored"))
        let (warmHits, warmMisses, warmStored) = (number(metrics, "warmup_get_hits"), number(metrics, "warmup_get_misses"),
                                                  number(metrics, "warmup_set_stored"))
        XCTAssertEqual((counts["errors"] as? [String: Int])?.values.reduce(0, +), 0, "\(counts)")
        XCTAssertEqual(number(counts, "completed"), number(counts, "ok"))
        XCTAssertEqual(hits + misses + stored, number(counts, "completed"), "every measured answer is a hit, a miss or a store")
        XCTAssertEqual(warmHits + warmMisses + warmStored, number(counts, "warmup_excluded"), "and every warm-up answer")
        XCTAssertGreaterThan(number(counts, "warmup_excluded"), 0)
        XCTAssertGreaterThan(misses + warmMisses, 0, "the cache started empty")
        XCTAssertGreaterThan(hits, 0, "and the SETs filled it")
        XCTAssertEqual(Double(stored) / Double(hits + misses + stored), 1.0 / 11, accuracy: 0.01, "SET:GET 1:10")
        // memcached's own view: exactly what bench sent and was answered, warm-up included.
        XCTAssertEqual(delta(before, afterR1, "cmd_get"), hits + misses + warmHits + warmMisses)
        XCTAssertEqual(delta(before, afterR1, "get_hits"), hits + warmHits)
        XCTAssertEqual(delta(before, afterR1, "get_misses"), misses + warmMisses)
        XCTAssertEqual(delta(before, afterR1, "cmd_set"), stored + warmStored)
        // 50 connections, plus the one this test read the second stats on.
        XCTAssertEqual(number(metrics, "connections_opened"), 50)
        XCTAssertEqual(delta(before, afterR1, "total_connections"), 50 + 1)

        let r2 = try resultFile("cache", "r2")
        let m2 = try XCTUnwrap(r2["kind_metrics"] as? [String: Any])
        XCTAssertEqual((r2["counts"] as? [String: Any]).map { number($0, "completed") }, 3000, stderr)
        XCTAssertEqual(number(m2, "get_hits") + number(m2, "get_misses"), 3000)
        XCTAssertEqual(number(m2, "set_stored"), 0)
        XCTAssertNil(m2["warmup_get_hits"], "no warm-up, no warm-up counts")
        XCTAssertEqual(delta(afterR1, afterR2, "cmd_get"), 3000)
        XCTAssertEqual(delta(afterR1, afterR2, "get_hits"), number(m2, "get_hits"))
        XCTAssertEqual((r2["workload"] as? [String: Any])?["mode"] as? String, "open")
        XCTAssertEqual((r2["recipe"] as? [String: Any])?["overrides"] as? [String: String], ["command": "get", "pipeline": "4"])

        let r3 = try resultFile("cache", "r3")
        XCTAssertEqual(number(try XCTUnwrap(r3["kind_metrics"] as? [String: Any]), "set_stored"), 1000, stderr)
        XCTAssertEqual(delta(afterR2, afterR3, "cmd_set"), 1000)
        XCTAssertEqual(delta(afterR2, afterR3, "cmd_get"), 0)

        // What the target and --set may not be, each named with what would do.
        XCTAssertTrue(stderr.contains("error: client run: --target redis://127.0.0.1:\(port): a redis address, but recipe 'memcached-get-set' "
            + "is of kind memcached; give memcached://host:port or host:port"), stderr)
        XCTAssertTrue(stderr.contains("error: client run: --set pipeline=2000: expected a depth from 1 to 1024"), stderr)
        XCTAssertTrue(stderr.contains("error: client run: --set ttl=1.5s: expected whole seconds from 0 to 2592000"), stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: bench.directory.appendingPathComponent("sessions/cache/runs/r4.json").path))

        // show prints the kind's counts beside the latency table.
        XCTAssertTrue(stdout.contains("memcached metrics"), stdout)
        XCTAssertTrue(stdout.contains("get_hits"), stdout)
        XCTAssertTrue(stdout.contains("r1  memcached-get-set [memcached] -> s1"), stdout)
        XCTAssertTrue(try bench.read("sessions/cache.bench").contains("client run memcached-get-set --target s1 --duration 2s --seed 1  # -> r1"))
    }
}
