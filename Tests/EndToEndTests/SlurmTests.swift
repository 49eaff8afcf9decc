import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Servers, clients and monitors as jobs on the real single-node SLURM cluster that
/// scripts/start-slurm.sh starts (scripts/test.sh does before the tests).
final class SlurmTests: XCTestCase {
    var bench: BenchProcess!

    override func setUpWithError() throws {
        bench = try BenchProcess()
        let sinfo = try Self.slurm(["sinfo", "-h", "-o", "%T"])
        guard sinfo.status == 0, sinfo.stdout.contains("idle") || sinfo.stdout.contains("mix") || sinfo.stdout.contains("alloc") else {
            XCTFail("no SLURM cluster answers here (sinfo: \(sinfo.stdout)\(sinfo.stderr)); start one with scripts/start-slurm.sh")
            throw XCTSkip("no cluster")
        }
    }

    override func tearDown() {
        _ = try? bench.run(["--cleanup"])
        bench.cleanUp()
    }

    /// Runs a SLURM command (or any program) and captures its output.
    static func slurm(_ argv: [String]) throws -> BenchProcess.Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = argv
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return .init(status: process.terminationStatus, stdout: String(decoding: out, as: UTF8.self), stderr: String(decoding: err, as: UTF8.self))
    }

    /// Active jobs (id, name, state) whose name starts with `bench-SESSION-`.
    static func jobs(session: String) throws -> [(id: String, name: String, state: String)] {
        let out = try slurm(["squeue", "-h", "-o", "%i|%j|%T"]).stdout
        return out.split(separator: "\n").compactMap { line in
            let parts = line.split(separator: "|").map(String.init)
            guard parts.count == 3, parts[1].hasPrefix("bench-\(session)-") else { return nil }
            return (parts[0], parts[1], parts[2])
        }
    }

    static func jobState(_ id: String) throws -> String {
        let out = try slurm(["scontrol", "show", "job", id, "-o"]).stdout
        return out.split(separator: " ").first { $0.hasPrefix("JobState=") }.map { String($0.dropFirst(9)) } ?? "?"
    }

    private func json(_ relativePath: String) throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(bench.read(relativePath).utf8)) as? [String: Any])
    }

    private func server(_ session: String, _ handle: String) -> [String: Any]? {
        ServiceProbes.servers(in: bench.directory, session: session)[handle]
    }

    /// s1's job ended outside bench: bench records it, says so before its next prompt, and `server status` shows it.
    private func assertJobEndNoticed(_ live: ServerLifecycleTests.LiveBench, session: String, jobState: String,
                                     file: StaticString = #filePath, line: UInt = #line) {
        BenchProcess.waitUntil(20, "bench to notice the job end (\(jobState))") {
            (self.server(session, "s1")?["state"] as? [String: Any])?["jobEnded"] != nil
        }
        live.send("server status")
        let (status, out, err) = live.finish()
        XCTAssertEqual(status, 0, err, file: file, line: line)
        XCTAssertTrue(err.contains("s1 (redis) job \(jobState)"), err, file: file, line: line)
        XCTAssertTrue(out.contains("job \(jobState)"), out, file: file, line: line)
    }

    private func jobId(_ server: [String: Any]?) -> String? {
        ((server?["runtime"] as? [String: Any])?["job"] as? [String: Any])?["id"] as? String
    }

    // MARK: The whole path

    func testServerJobClientJobsAndPrometheusJobThenExitLeavesTheQueueEmpty() throws {
        let script = """
        server start redis --on slurm --count 2
        server logs s2 --tail 20
        monitor start prometheus --on slurm
        monitor attach m1 s1
        client run redis-get-set --target s1 --on slurm --duration 2s --warmup 1s --concurrency 4
        client run redis-get-set --target s1 --on slurm --tasks-per-node 2 --duration 2s --warmup 1s --concurrency 8
        server status s1
        monitor targets m1
        """
        let result = try bench.run(["--session", "jobs"], stdin: script)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stderr.contains("s1 redis: submitted job"), result.stderr)
        XCTAssertTrue(result.stderr.contains("prometheus: submitted job"), result.stderr)
        // server status shows the job's view.
        XCTAssertTrue(result.stdout.contains("job state:") && result.stdout.contains("RUNNING on"), result.stdout)
        XCTAssertTrue(result.stdout.contains("time limit:") && result.stdout.contains("01:00:00"), result.stdout)
        // server logs reads the job's output file.
        XCTAssertTrue(result.stdout.contains("Ready to accept connections"), result.stdout)
        // --count 2: two jobs, each with its own discovered endpoint.
        let s1 = try XCTUnwrap(server("jobs", "s1")), s2 = try XCTUnwrap(server("jobs", "s2"))
        XCTAssertNotEqual(jobId(s1), jobId(s2))
        XCTAssertNotEqual(ServiceProbes.port(s1), ServiceProbes.port(s2))
        XCTAssertTrue(FileManager.default.fileExists(atPath: bench.directory.appendingPathComponent("sessions/jobs/slurm/s2.sbatch").path))
        // The server job registered its exporter and a node_exporter with Prometheus.
        let targets = result.stdout.split(separator: "\n").filter { $0.hasPrefix("bench") && $0.contains(" s1 ") }
        XCTAssertEqual(targets.count, 2, result.stdout)
        XCTAssertTrue(targets.allSatisfy { $0.contains(" up") }, result.stdout)

        let r1 = try json("sessions/jobs/runs/r1.json")
        XCTAssertEqual(r1["status"] as? String, "completed")
        let r1Counts = try XCTUnwrap(r1["counts"] as? [String: Any])
        XCTAssertGreaterThan(r1Counts["ok"] as? Int ?? 0, 100)
        XCTAssertEqual((r1Counts["errors"] as? [String: Int])?.values.reduce(0, +), 0)
        XCTAssertNotNil((r1["monitor"] as? [String: Any])?["m1"], "the run against a monitored job has its server side")
        XCTAssertEqual((r1["kind_metrics"] as? [String: Any])?["slurm_job"] as? String != nil, true)

        // Two job-step parts merged: counts add up, the histogram holds every request, each part kept.
        let r2 = try json("sessions/jobs/runs/r2.json")
        XCTAssertEqual(r2["status"] as? String, "completed")
        let parts = try XCTUnwrap(r2["parts"] as? [String])
        XCTAssertEqual(parts.count, 2)
        var partOk = 0, partConnections = 0
        for index in 0..<2 {
            let part = try json("sessions/jobs/runs/r2.parts/part-\(index)/runs/r1.json")
            partOk += (part["counts"] as? [String: Any])?["ok"] as? Int ?? 0
            partConnections += (part["workload"] as? [String: Any])?["concurrency"] as? Int ?? 0
            XCTAssertEqual((part["workload"] as? [String: Any])?["concurrency"] as? Int, 4)
        }
        let mergedCounts = try XCTUnwrap(r2["counts"] as? [String: Any])
        XCTAssertEqual(mergedCounts["ok"] as? Int, partOk)
        XCTAssertEqual((r2["workload"] as? [String: Any])?["concurrency"] as? Int, 8)
        let histogram = try XCTUnwrap(((r2["histograms"] as? [String: Any])?["response_time"] as? [String: Any]))
        XCTAssertEqual(histogram["total_count"] as? Int, mergedCounts["completed"] as? Int)

        // Exit cancelled every job the session submitted.
        BenchProcess.waitUntil(20, "the session's jobs to leave the queue") { (try? Self.jobs(session: "jobs").isEmpty) ?? false }
        let state = try json("sessions/jobs/state.json")
        let servers = try XCTUnwrap(state["servers"] as? [[String: Any]])
        XCTAssertEqual(servers.count, 2)
        // Each server job removed its Prometheus registration when it ended.
        let targetFiles = bench.directory.appendingPathComponent("sessions/jobs/slurm/targets").path
        XCTAssertEqual((try? FileManager.default.contentsOfDirectory(atPath: targetFiles)) ?? ["missing"], [])
        for server in servers { XCTAssertEqual(try Self.jobState(try XCTUnwrap(jobId(server))), "CANCELLED") }
    }

    /// A memcached client run as two job-step parts: the merged result sums the parts' hits, misses and stores, and
    /// the sums are what memcached itself counted (warm-up included).
    func testMemcachedClientPartsSumTheirCountsToTheServersOwn() throws {
        let (process, input, _, errors) = try bench.start(["--session", "cacheparts"])
        input.fileHandleForWriting.write(Data("server start memcached\n".utf8))
        var port: Int?
        BenchProcess.waitUntil(20, "memcached ready") {
            let s1 = self.server("cacheparts", "s1")
            port = ServiceProbes.isReady(s1) ? ServiceProbes.port(s1) : nil
            return port != nil || !process.isRunning
        }
        let before = ServiceProbes.memcachedStats(port: try XCTUnwrap(port))
        input.fileHandleForWriting.write(Data("client run memcached-get-set --target s1 --on slurm --tasks-per-node 2 --duration 2s --warmup 1s --concurrency 8\n".utf8))
        BenchProcess.waitUntil(90, "the run's result") {
            FileManager.default.fileExists(atPath: self.bench.directory.appendingPathComponent("sessions/cacheparts/runs/r1.json").path)
                || !process.isRunning
        }
        let after = ServiceProbes.memcachedStats(port: try XCTUnwrap(port))
        try input.fileHandleForWriting.close()
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()

        let r1 = try json("sessions/cacheparts/runs/r1.json")
        XCTAssertEqual(r1["status"] as? String, "completed", stderr)
        XCTAssertEqual((r1["parts"] as? [String])?.count, 2)
        let merged = try XCTUnwrap(r1["kind_metrics"] as? [String: Any])
        func number(_ metrics: [String: Any]?, _ key: String) -> Int { (metrics?[key] as? NSNumber)?.intValue ?? -1 }
        let keys = ["get_hits", "get_misses", "set_stored", "warmup_get_hits", "warmup_get_misses", "warmup_set_stored"]
        var sums = Dictionary(uniqueKeysWithValues: keys.map { ($0, 0) })
        for index in 0..<2 {
            let part = try json("sessions/cacheparts/runs/r1.parts/part-\(index)/runs/r1.json")
            for key in keys { sums[key]! += number(part["kind_metrics"] as? [String: Any], key) }
        }
        for key in keys { XCTAssertEqual(number(merged, key), sums[key], key) }
        XCTAssertGreaterThan(number(merged, "get_hits"), 0)
        XCTAssertEqual(number(merged, "get_hits") + number(merged, "get_misses") + number(merged, "set_stored"),
                       number(r1["counts"] as? [String: Any], "completed"))
        func delta(_ key: String) -> Int { (after[key] ?? 0) - (before[key] ?? 0) }
        XCTAssertEqual(delta("cmd_get"), sums["get_hits"]! + sums["get_misses"]! + sums["warmup_get_hits"]! + sums["warmup_get_misses"]!)
        XCTAssertEqual(delta("get_hits"), sums["get_hits"]! + sums["warmup_get_hits"]!)
        XCTAssertEqual(delta("cmd_set"), sums["set_stored"]! + sums["warmup_set_stored"]!)
    }

    func testDryRunPrintsTheScriptAndSubmitsNothing() throws {
        let result = try bench.run(["--session", "dry", "-c", "server start redis --on slurm --dry-run --time 20m", "-c", "set timing on"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("#SBATCH --job-name=bench-dry-s1"), result.stdout)
        XCTAssertTrue(result.stdout.contains("#SBATCH --time=00:20:00"), result.stdout)
        XCTAssertTrue(result.stdout.contains("redis-server --port \"${BENCH_PORT_MAIN}\""), result.stdout)
        XCTAssertTrue(try Self.jobs(session: "dry").isEmpty)
        let recorded = try bench.read("sessions/dry.bench")
        XCTAssertTrue(recorded.contains("set timing on"), recorded)
        XCTAssertFalse(recorded.contains("server start"), "a dry run changes nothing and is not recorded:\n\(recorded)")
    }

    // MARK: Faults

    func testRejectedSubmissionShowsSlurmsMessage() throws {
        let result = try bench.run(["--session", "reject", "-c", "server start redis --on slurm --partition nosuch"])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.contains("sbatch rejected the job: sbatch: error: invalid partition specified: nosuch"), result.stderr)
        XCTAssertTrue(result.stderr.contains("Batch job submission failed: Invalid partition name specified"), result.stderr)
        XCTAssertTrue(try Self.jobs(session: "reject").isEmpty)
    }

    func testNoSlurmHereSaysUseLocal() throws {
        var environment = bench.environment
        environment["PATH"] = bench.directory.path
        let process = Process()
        process.executableURL = BenchProcess.binary
        process.arguments = ["-c", "server start redis --on slurm"]
        process.currentDirectoryURL = bench.directory
        process.environment = environment
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = Pipe()
        try process.run()
        let err = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 1)
        XCTAssertTrue(err.contains("no SLURM here: 'sbatch' is not on PATH; use --on local"), err)
    }

    func testJobThatFailsBeforeDiscoveryShowsItsOutput() throws {
        try bench.write("recipes/servers/nodir.yaml", """
        name: nodir
        description: fails in its job before it can write the discovery file
        service:
          command: [redis-server, --port, "{{port.main}}"]
          workdir: /nonexistent/bench-test-folder
        ports:
          main: auto
        readiness:
          type: tcp
          port: main
          timeout: 20s
        """)
        let result = try bench.run(["--session", "nodir", "-c", "server start nodir --on slurm"])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.contains("s1 nodir: job FAILED (exit 71"), result.stderr)
        XCTAssertTrue(result.stderr.contains("/nonexistent/bench-test-folder"), "the job's output tail is shown:\n\(result.stderr)")
        XCTAssertTrue(try Self.jobs(session: "nodir").isEmpty)
    }

    func testDiscoveryNeverWrittenTimesOutWithTheJobState() throws {
        try bench.write("recipes/servers/quiet.yaml", """
        name: quiet
        description: its job runs but its discovery file cannot be written
        service:
          command: [sleep, "300"]
        ports:
          main: auto
        readiness:
          type: tcp
          port: main
          timeout: 3s
        """)
        // A folder where the job's temporary discovery file would go: the write fails, the job runs on.
        try FileManager.default.createDirectory(at: bench.directory.appendingPathComponent("sessions/quiet/slurm/discovery/s1.json.tmp"),
                                                withIntermediateDirectories: true)
        let result = try bench.run(["--session", "quiet", "-c", "server start quiet --on slurm"])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.contains("RUNNING on"), result.stderr)
        XCTAssertTrue(result.stderr.contains("but it wrote no discovery file within 3s"), result.stderr)
        BenchProcess.waitUntil(20, "the job to be cancelled") { (try? Self.jobs(session: "quiet").isEmpty) ?? false }
    }

    func testJobCancelledFromOutsideIsNoticed() throws {
        let live = try ServerLifecycleTests.LiveBench(bench, ["--session", "outside"])
        live.send("server start redis --on slurm")
        var id: String?
        BenchProcess.waitUntil(30, "s1 ready") {
            let s1 = server("outside", "s1")
            id = jobId(s1)
            return ServiceProbes.isReady(s1)
        }
        let job = try XCTUnwrap(id)
        XCTAssertEqual(try Self.slurm(["scancel", job]).status, 0)
        assertJobEndNoticed(live, session: "outside", jobState: "CANCELLED")
    }

    func testLostNodeEndsTheJobAndIsNoticed() throws {
        let live = try ServerLifecycleTests.LiveBench(bench, ["--session", "lost"])
        live.send("server start redis --on slurm")
        BenchProcess.waitUntil(30, "s1 ready") { ServiceProbes.isReady(server("lost", "s1")) }
        let node = try XCTUnwrap(try Self.slurm(["sinfo", "-h", "-o", "%n"]).stdout.split(separator: "\n").first.map(String.init))
        XCTAssertEqual(try Self.slurm(["scontrol", "update", "nodename=\(node)", "state=down", "reason=bench-test"]).status, 0)
        // ReturnToService=2 brings the node back once its slurmd reports; resume in case it did not.
        defer { _ = try? Self.slurm(["scontrol", "update", "nodename=\(node)", "state=resume"]) }
        assertJobEndNoticed(live, session: "lost", jobState: "NODE_FAIL")
        BenchProcess.waitUntil(20, "the node to be back") {
            (try? Self.slurm(["sinfo", "-h", "-o", "%T"]).stdout.hasPrefix("idle")) ?? false
        }
    }

    func testCtrlCWhilePendingCancelsTheJob() throws {
        XCTAssertEqual(try Self.slurm(["scontrol", "update", "partitionname=short", "state=down"]).status, 0)
        defer { _ = try? Self.slurm(["scontrol", "update", "partitionname=short", "state=up"]) }
        let live = try ServerLifecycleTests.LiveBench(bench, ["--session", "pending"])
        live.send("server start redis --on slurm --partition short")
        var pending: (id: String, name: String, state: String)?
        BenchProcess.waitUntil(20, "the job to be pending") {
            pending = (try? Self.jobs(session: "pending"))?.first
            return pending?.state == "PENDING"
        }
        let job = try XCTUnwrap(pending)
        Thread.sleep(forTimeInterval: 1)
        kill(live.process.processIdentifier, SIGINT)
        let (status, _, err) = live.finish()
        XCTAssertEqual(status, 130, err)
        XCTAssertTrue(err.contains("PENDING (PartitionDown)"), "the pending reason is shown:\n\(err)")
        BenchProcess.waitUntil(10, "the pending job to be cancelled") { (try? Self.jobState(job.id)) == "CANCELLED" }
    }

    // MARK: Leaving and coming back

    func testCleanupAfterSIGKILLCancelsTheJobs() throws {
        let live = try ServerLifecycleTests.LiveBench(bench, ["--session", "killed"])
        live.send("server start redis --on slurm")
        BenchProcess.waitUntil(30, "s1 ready") { ServiceProbes.isReady(server("killed", "s1")) }
        kill(live.process.processIdentifier, SIGKILL)
        _ = live.finish()
        XCTAssertEqual(try Self.jobs(session: "killed").count, 1, "a SIGKILLed bench cannot cancel its job")
        let cleanup = try bench.run(["--cleanup"])
        XCTAssertEqual(cleanup.status, 0, cleanup.stderr)
        XCTAssertTrue(cleanup.stdout.contains("killed: cancelled s1 (redis job"), cleanup.stdout)
        BenchProcess.waitUntil(20, "the queue to be empty of the session's jobs") { (try? Self.jobs(session: "killed").isEmpty) ?? false }
    }

    func testDetachedJobSurvivesAndAttachFindsItByJobId() throws {
        let first = try bench.run(["--session", "keep"], stdin: "server start redis --on slurm\ndetach\n")
        XCTAssertEqual(first.status, 0, first.stderr)
        let s1 = try XCTUnwrap(server("keep", "s1"))
        let port = try XCTUnwrap(ServiceProbes.port(s1))
        XCTAssertEqual(try Self.jobs(session: "keep").count, 1, "a detached session's job keeps running")
        XCTAssertTrue(ServiceProbes.redisPing(port: port))
        let second = try bench.run(["--attach", "keep"], stdin: "server health s1\nserver stop s1\n")
        XCTAssertEqual(second.status, 0, second.stderr)
        XCTAssertTrue(second.stderr.contains("attached to session keep; running: s1"), second.stderr)
        XCTAssertNotNil(jobId(s1))
        XCTAssertTrue(second.stdout.contains("s1: healthy"), second.stdout)
        BenchProcess.waitUntil(20, "the job to end") { (try? Self.jobs(session: "keep").isEmpty) ?? false }
    }
}
