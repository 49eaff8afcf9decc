import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Real services started by bench's own code paths: readiness, endpoints, stop, faults, no orphans.
final class ServerLifecycleTests: XCTestCase {
    var bench: BenchProcess!

    override func setUpWithError() throws { bench = try BenchProcess() }

    override func tearDown() {
        // Whatever a failed test left: stop it through bench itself.
        _ = try? bench.run(["--cleanup"])
        bench.cleanUp()
    }

    /// Feeds lines to a running bench one at a time, as a batch job would.
    final class LiveBench {
        let process: Process
        let input: FileHandle
        let errors: Pipe
        let output: Pipe

        init(_ bench: BenchProcess, _ arguments: [String]) throws {
            let (process, input, output, errors) = try bench.start(arguments)
            self.process = process
            self.input = input.fileHandleForWriting
            self.output = output
            self.errors = errors
        }

        func send(_ line: String) { input.write(Data((line + "\n").utf8)) }

        /// Closes stdin (end of the batch) and waits for bench to exit.
        func finish() -> (Int32, String, String) {
            try? input.close()
            let out = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            let err = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            return (process.terminationStatus, out, err)
        }
    }

    private func waitForServers(_ session: String, _ handles: [String], timeout: TimeInterval = 20) -> [String: [String: Any]] {
        var servers: [String: [String: Any]] = [:]
        BenchProcess.waitUntil(timeout, "\(handles) ready in \(session)") {
            servers = ServiceProbes.servers(in: bench.directory, session: session)
            return handles.allSatisfy { ServiceProbes.isReady(servers[$0]) }
        }
        return servers
    }

    func testTwoRedisInstancesAnswerOnTheirOwnPortsAndStopLeavesNoProcess() throws {
        let live = try LiveBench(bench, ["--session", "two"])
        live.send("server start redis --count 2")
        let servers = waitForServers("two", ["s1", "s2"])
        let port1 = try XCTUnwrap(ServiceProbes.port(servers["s1"])), port2 = try XCTUnwrap(ServiceProbes.port(servers["s2"]))
        XCTAssertNotEqual(port1, port2)
        XCTAssertTrue(ServiceProbes.redisPing(port: port1))
        XCTAssertTrue(ServiceProbes.redisPing(port: port2))
        let pid1 = try XCTUnwrap(ServiceProbes.pid(servers["s1"])), pid2 = try XCTUnwrap(ServiceProbes.pid(servers["s2"]))
        // Each instance leads its own process group.
        XCTAssertEqual(getpgid(pid1), pid1)
        XCTAssertEqual(getpgid(pid2), pid2)

        live.send("server stop s1")
        BenchProcess.waitUntil(15, "s1's process group to be gone") { !ServiceProbes.groupIsAlive(pid1) }
        XCTAssertFalse(ServiceProbes.redisPing(port: port1))
        XCTAssertTrue(ServiceProbes.redisPing(port: port2))
        live.send("server stop s1")
        live.send("echo unreachable")
        let (status, out, err) = live.finish()
        XCTAssertEqual(status, 1)
        XCTAssertTrue(err.contains("<stdin>:3: error: s1 (redis) is not running: stopped at"), err)
        XCTAssertFalse(out.contains("unreachable"))
        // Leaving bench stops the rest: no orphans.
        BenchProcess.waitUntil(15, "s2's process group to be gone") { !ServiceProbes.groupIsAlive(pid2) }
        let script = try bench.read("sessions/two.bench")
        XCTAssertTrue(script.contains("\nserver start redis --count 2  # -> s1 s2\n"), script)
        XCTAssertTrue(script.contains("# recipe: server redis sha256="), script)
        XCTAssertTrue(FileManager.default.fileExists(atPath: bench.directory.appendingPathComponent("sessions/two/recipes/servers/redis.yaml").path))
        XCTAssertTrue(FileManager.default.fileExists(atPath: bench.directory.appendingPathComponent("sessions/two/logs/s1/stdout.log").path))
    }

    func testSigkilledBenchLeavesStateThatCleanupStops() throws {
        let live = try LiveBench(bench, ["--session", "killed"])
        live.send("server start redis")
        let servers = waitForServers("killed", ["s1"])
        let pid = try XCTUnwrap(ServiceProbes.pid(servers["s1"]))
        kill(live.process.processIdentifier, SIGKILL)
        live.process.waitUntilExit()
        XCTAssertTrue(ServiceProbes.groupIsAlive(pid), "redis outlives a SIGKILLed bench")

        // The next bench warns about it, and --sessions lists it.
        let next = try bench.run(["-c", "echo hi"])
        XCTAssertTrue(next.stderr.contains("session killed was left by a bench that is gone"), next.stderr)
        XCTAssertTrue(try bench.run(["--sessions"]).stdout.contains("killed"))

        let cleanup = try bench.run(["--cleanup"])
        XCTAssertEqual(cleanup.status, 0, cleanup.stderr)
        XCTAssertTrue(cleanup.stdout.contains("killed: stopped s1 (redis pid \(pid))"), cleanup.stdout)
        BenchProcess.waitUntil(10, "redis to be gone") { !ServiceProbes.groupIsAlive(pid) }
        XCTAssertTrue(try bench.run(["--cleanup"]).stdout.contains("nothing left running"))
    }

    func testDetachThenAttachResumesHandlesAndRecording() throws {
        let first = try bench.run(["--session", "keep"], stdin: "server start redis --name cache\nclient run redis-get-set --target cache --requests 100 --warmup 0s --quiet\ndetach\n")
        XCTAssertEqual(first.status, 0, first.stderr)
        let servers = ServiceProbes.servers(in: bench.directory, session: "keep")
        let pid = try XCTUnwrap(ServiceProbes.pid(servers["s1"]))
        XCTAssertTrue(ServiceProbes.groupIsAlive(pid), "detach leaves the server running")
        XCTAssertTrue(try bench.run(["--sessions"]).stdout.contains("detached"))

        // A typo in an attached batch stops the batch, not the servers it found running.
        let typo = try bench.run(["--attach", "keep", "-c", "show r9", "-c", "detach"])
        XCTAssertEqual(typo.status, 1, typo.stderr)
        XCTAssertTrue(typo.stderr.contains("<command>:1: error: unknown run handle 'r9'"), typo.stderr)
        XCTAssertTrue(typo.stderr.contains("leaving s1 running; resume with: bench --attach keep, or stop them with: bench --cleanup keep"), typo.stderr)
        XCTAssertTrue(ServiceProbes.groupIsAlive(pid), "a failed command in an attached session leaves its servers running")
        // With --continue-on-error the commands all ran: the end is theirs (here: detach).
        let continued = try bench.run(["--attach", "keep", "--continue-on-error", "-c", "show r9", "-c", "detach"])
        XCTAssertEqual(continued.status, 1, continued.stderr)
        XCTAssertFalse(continued.stderr.contains("stopped at an error"), continued.stderr)
        XCTAssertTrue(ServiceProbes.groupIsAlive(pid), "detach ran")

        let second = try bench.run(["--attach", "keep"], stdin: "server status cache\nserver start redis\nclient status\n")
        XCTAssertEqual(second.status, 0, second.stderr)
        // The earlier bench's run is listed with its numbers.
        XCTAssertTrue(second.stdout.split(separator: "\n").contains { $0.hasPrefix("r1 ") && $0.contains("redis-get-set") && $0.contains("completed") }, second.stdout)
        XCTAssertTrue(second.stdout.contains("pid:") && second.stdout.contains("\(pid)"), second.stdout)
        // Numbering continues where the first bench stopped.
        XCTAssertTrue(second.stdout.contains("s2"), second.stdout)
        BenchProcess.waitUntil(15, "both servers stopped when the attached bench exits") { !ServiceProbes.groupIsAlive(pid) }
        let script = try bench.read("sessions/keep.bench")
        let commands = script.split(separator: "\n").filter { !$0.hasPrefix("#") }
        XCTAssertEqual(commands, ["server start redis --name cache  # -> s1",
                                  "client run redis-get-set --target cache --requests 100 --warmup 0s --quiet --seed 1  # -> r1",
                                  "detach", "detach", "server start redis  # -> s2"])
        XCTAssertTrue(script.contains("# attached: "), script)
    }

    func testFaultsGetOneClearErrorAndLeaveTheSessionConsistent() throws {
        try bench.write("recipes/servers/never.yaml", """
        description: listens on nothing, so readiness times out
        service:
          command: [sleep, "60"]
        ports:
          main: auto
        readiness:
          type: tcp
          timeout: 1s
        """)
        try bench.write("recipes/servers/crash.yaml", """
        description: dies at once
        service:
          script: echo boom-on-stderr >&2; exit 3
        ports:
          main: auto
        readiness:
          type: tcp
        """)
        try bench.write("recipes/servers/missing.yaml", """
        service:
          command: [no-such-binary-xyz, --flag]
        """)
        // A port that is taken: a listener of the test's own.
        let (listener, takenPort) = ServiceProbes.listen()
        defer { close(listener) }

        let result = try bench.run(["--continue-on-error", "--session", "faults"], stdin: """
        server start never
        server start crash
        server start missing
        server start redis --port main=\(takenPort)
        server stop s9
        server start redis
        server status
        """)
        XCTAssertEqual(result.status, 1)
        let err = result.stderr
        XCTAssertTrue(err.contains("<stdin>:1: error: s1 never: not ready after 1s (readiness tcp: "), err)
        XCTAssertTrue(err.contains("<stdin>:2: error: s1 crash: exited(3) before it was ready"), err)
        XCTAssertTrue(err.contains("boom-on-stderr"), "the log tail is part of the error: \(err)")
        XCTAssertTrue(err.contains("<stdin>:3: error: cannot start 'no-such-binary-xyz': not found in PATH"), err)
        XCTAssertTrue(err.contains("<stdin>:4: error: port main=\(takenPort) is already in use on 127.0.0.1"), err)
        XCTAssertTrue(err.contains("<stdin>:5: error: unknown server handle 's9'"), err)
        // Failed starts took back their handles: the first successful start is s1.
        XCTAssertNotNil(result.stdout.range(of: #"(?m)^s1\s+redis\s+ready"#, options: .regularExpression), result.stdout)
        XCTAssertFalse(result.stdout.contains("never"), result.stdout)
        // The failed instance's logs are kept, and nothing it started is left running.
        let failed = try FileManager.default.contentsOfDirectory(atPath: bench.directory.appendingPathComponent("sessions/faults/failed").path)
        XCTAssertEqual(failed.count, 3, "\(failed)")
        let script = try bench.read("sessions/faults.bench")
        XCTAssertTrue(script.contains("# failed: server start never\n#   error: s1 never: not ready after 1s"), script)
        XCTAssertTrue(script.contains("\nserver start redis  # -> s1\n"), script)
    }

    func testAServerThatDiesOnItsOwnIsNoticed() throws {
        let live = try LiveBench(bench, ["--session", "dies"])
        live.send("server start redis")
        let servers = waitForServers("dies", ["s1"])
        let pid = try XCTUnwrap(ServiceProbes.pid(servers["s1"]))
        kill(pid, SIGKILL)
        Thread.sleep(forTimeInterval: 1)
        live.send("server status")
        let (status, out, err) = live.finish()
        XCTAssertEqual(status, 0, err)
        XCTAssertTrue(err.contains("s1 (redis) killed(SIGKILL) at"), err)
        XCTAssertTrue(out.contains("killed(SIGKILL)"), out)
        // Its exporter went with it.
        let exporter = (((ServiceProbes.servers(in: bench.directory, session: "dies")["s1"]?["runtime"] as? [String: Any])?["exporter"] as? [String: Any])?["pid"] as? Int).map(Int32.init)
        if let exporter { XCTAssertFalse(ServiceProbes.groupIsAlive(exporter)) }
    }

    func testWhatADeadServerForkedGoesWithIt() throws {
        // Killing nginx's master alone leaves its worker holding the port, unless bench stops the group.
        let live = try LiveBench(bench, ["--session", "orphans"])
        live.send("server start nginx")
        let servers = waitForServers("orphans", ["s1"])
        let pid = try XCTUnwrap(ServiceProbes.pid(servers["s1"]))
        BenchProcess.waitUntil(10, "nginx's worker to start") { ServiceProbes.groupMembers(pid).count >= 2 }
        kill(pid, SIGKILL)
        BenchProcess.waitUntil(10, "the worker to be stopped with its master") { !ServiceProbes.groupIsAlive(pid) }
        live.send("server restart s1")
        live.send("server stop s1")
        // Someone else takes the port meanwhile: the restart cannot move it, and says what can be done.
        BenchProcess.waitUntil(15, "s1 to stop") { !ServiceProbes.groupIsAlive(pid) && (ServiceProbes.servers(in: bench.directory, session: "orphans")["s1"]?["state"] as? [String: Any])?["stopped"] != nil }
        let port = try XCTUnwrap(ServiceProbes.port(ServiceProbes.servers(in: bench.directory, session: "orphans")["s1"]))
        let (listener, _) = ServiceProbes.listen(port: port)
        defer { close(listener) }
        live.send("server restart s1")
        let (status, _, err) = live.finish()
        XCTAssertEqual(status, 1, err)
        XCTAssertTrue(err.contains("s1 (nginx) killed(SIGKILL) at"), err)
        XCTAssertTrue(err.contains("s1 nginx: restarted as pid"), "the port was free again:\n\(err)")
        XCTAssertTrue(err.contains("error: port main=\(port) is already in use on 127.0.0.1; a restart keeps s1's ports: free that one, "
            + "or start a new instance with 'server start nginx --port main=N'"), err)
    }

    func testNoWaitThenWaitRestartHealthAndLogs() throws {
        let result = try bench.run(["--session", "ops"], stdin: """
        server start nginx --no-wait --name web
        wait web --timeout 20s
        server health s1
        server restart s1
        server health web
        server logs s1 --stderr --tail 5
        server status
        """)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("ready: s1"), result.stdout)
        XCTAssertEqual(result.stdout.components(separatedBy: "s1: healthy").count - 1, 2, result.stdout)
        XCTAssertTrue(result.stderr.contains("s1 nginx: restarted as pid"), result.stderr)
        // The exporter was started once nginx was ready, and again after the restart.
        let servers = ServiceProbes.servers(in: bench.directory, session: "ops")
        XCTAssertNotNil((servers["s1"]?["runtime"] as? [String: Any])?["exporter"], "\(servers)")
        let script = try bench.read("sessions/ops.bench")
        let commands = script.split(separator: "\n").filter { !$0.hasPrefix("#") }.map(String.init)
        XCTAssertEqual(commands, ["server start nginx --name web --no-wait  # -> s1", "wait web --timeout 20s", "server restart s1"])
    }

    func testReplayOfARecordedServerSessionGetsTheSameHandles() throws {
        let first = try bench.run(["--session", "orig"], stdin: "server start redis --count 2\nserver stop s1\nserver start memcached\n")
        XCTAssertEqual(first.status, 0, first.stderr)
        let replay = try bench.run(["--replay", "sessions/orig.bench"])
        XCTAssertEqual(replay.status, 0, replay.stderr)
        XCTAssertFalse(replay.stderr.contains("handles differ"), replay.stderr)
        XCTAssertTrue(replay.stderr.contains("replayed 3 of 3 commands"), replay.stderr)
        let recorded = try bench.read("sessions/orig-replay.bench")
        XCTAssertTrue(recorded.contains("\nserver start memcached  # -> s3\n"), recorded)
    }
}
