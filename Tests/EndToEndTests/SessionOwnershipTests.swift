import Foundation
import XCTest

/// One writer per session, ended sessions kept as they ran, `--no-record` leaving nothing, and runs
/// that measured nothing failing: each through the real binary.
final class SessionOwnershipTests: XCTestCase {
    var bench: BenchProcess!

    override func setUpWithError() throws { bench = try BenchProcess() }
    override func tearDown() { bench.cleanUp() }

    private var sessions: URL { bench.directory.appendingPathComponent("sessions") }

    func testASecondBenchOnAnOpenSessionIsRefusedWithItsHolder() throws {
        let (first, input, _, _) = try bench.start(["--session", "exp1"])
        defer { if first.isRunning { first.terminate() } }
        input.fileHandleForWriting.write(Data("set timing on\n".utf8))
        BenchProcess.waitUntil(10, "the first bench to record its command") {
            FileManager.default.fileExists(atPath: self.sessions.appendingPathComponent("exp1.bench").path)
        }
        let second = try bench.run(["--session", "exp1", "-c", "set timing off"])
        XCTAssertEqual(second.status, 2, second.stderr)
        XCTAssertTrue(second.stderr.hasPrefix("bench: session exp1 is open in bench pid \(first.processIdentifier) on "), second.stderr)
        XCTAssertTrue(second.stderr.contains("Use another name (--session exp1-2)"), second.stderr)
        let attach = try bench.run(["--attach", "exp1"])
        XCTAssertEqual(attach.status, 2)
        XCTAssertTrue(attach.stderr.contains("--attach exp1: the session is open in bench pid \(first.processIdentifier)"), attach.stderr)

        try input.fileHandleForWriting.close()
        first.waitUntilExit()
        XCTAssertEqual(first.terminationStatus, 0)
        let script = try bench.read("sessions/exp1.bench")
        XCTAssertEqual(script.components(separatedBy: "\nset timing on\n").count, 2, "recorded once:\n\(script)")

        // Ended: its name is not reused, so its script still replays as it ran.
        let reuse = try bench.run(["--session", "exp1", "-c", "set timing off"])
        XCTAssertEqual(reuse.status, 2)
        XCTAssertTrue(reuse.stderr.hasPrefix("bench: session exp1 was recorded already (sessions/exp1.bench"), reuse.stderr)
        XCTAssertTrue(reuse.stderr.contains("replay it (bench --replay sessions/exp1.bench)"), reuse.stderr)
        XCTAssertEqual(try bench.read("sessions/exp1.bench"), script, "the refused bench appended to the ended script")
    }

    func testAKilledBenchLeavesNoStaleLock() throws {
        let (first, input, _, _) = try bench.start(["--session", "killed"])
        input.fileHandleForWriting.write(Data("server start redis\n".utf8))
        BenchProcess.waitUntil(20, "redis ready") {
            ServiceProbes.isReady(ServiceProbes.servers(in: self.bench.directory, session: "killed")["s1"])
        }
        let pid = try XCTUnwrap(ServiceProbes.pid(ServiceProbes.servers(in: bench.directory, session: "killed")["s1"]))
        kill(first.processIdentifier, SIGKILL)
        first.waitUntilExit()
        // The kernel dropped the lock with the process: the session can be taken back at once.
        let attached = try bench.run(["--attach", "killed", "-c", "server status"])
        XCTAssertEqual(attached.status, 0, attached.stderr)
        XCTAssertTrue(attached.stdout.contains("s1") && attached.stdout.contains("ready"), attached.stdout)
        // Its parent was killed, so nobody may reap it here: a zombie is gone too.
        let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
        XCTAssertTrue(stat.isEmpty || stat.contains(") Z "), "the attached bench stopped redis at its exit: \(stat)")
    }

    func testNoRecordLeavesNoSessionBehind() throws {
        let result = try bench.run(["--no-record", "-c", "server start redis", "-c", "session info",
                                    "-c", "client run redis-get-set --target s1 --duration 1s --warmup 0s --quiet"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("none (--no-record)"), result.stdout)
        XCTAssertTrue(result.stdout.contains("completed"), result.stdout)
        XCTAssertFalse(FileManager.default.fileExists(atPath: sessions.path),
                       "left: \((try? FileManager.default.subpathsOfDirectory(atPath: sessions.path)) ?? [])")
        let detach = try bench.run(["--no-record", "-c", "detach"])
        XCTAssertEqual(detach.status, 1)
        XCTAssertTrue(detach.stderr.contains("detach: this session runs with --no-record"), detach.stderr)
    }

    func testARunAgainstADeadTargetFailsAndReplaysAsRecorded() throws {
        // A port nobody listens on: a listener opened and closed at once.
        let (fd, port) = ServiceProbes.listen()
        close(fd)
        let result = try bench.run(["--session", "dead", "-c", "client run nginx-get --target 127.0.0.1:\(port) --duration 1s --warmup 1s --quiet"])
        XCTAssertEqual(result.status, 1, result.stdout)
        let first = result.stdout.split(separator: "\n").first.map(String.init) ?? ""
        XCTAssertTrue(first.hasPrefix("r1  nginx-get [http] -> 127.0.0.1:\(port)  failed (no request succeeded: errors "), first)
        XCTAssertTrue(first.contains(" (connect "), first)
        XCTAssertTrue(result.stdout.contains("latency     none measured: no request was answered"), result.stdout)
        XCTAssertTrue(result.stdout.contains("attempts, all failed)"), result.stdout)
        XCTAssertFalse(result.stdout.contains("response time"), result.stdout)
        XCTAssertTrue(result.stderr.contains("error: r1 failed: no request succeeded"), result.stderr)
        let run = try JSONSerialization.jsonObject(with: Data(bench.read("sessions/dead/runs/r1.json").utf8)) as? [String: Any]
        XCTAssertEqual(run?["status"] as? String, "failed")
        let script = try bench.read("sessions/dead.bench")
        XCTAssertTrue(script.contains("# failed: client run nginx-get --target 127.0.0.1:\(port) --duration 1s --warmup 1s --quiet --seed 1  # -> r1\n"), script)

        // The replay skips the failed run but keeps its handle: the next run is r2 in both.
        try bench.write("two.bench", script + "client run nginx-get --target 127.0.0.1:\(port) --duration 1s --warmup 0s --quiet  # -> r2\n")
        let replay = try bench.run(["--continue-on-error", "--replay", "two.bench"])
        XCTAssertEqual(replay.status, 1)
        XCTAssertTrue(replay.stdout.contains("r2  nginx-get"), replay.stdout)
        XCTAssertFalse(replay.stderr.contains("handles differ"), replay.stderr)
    }
}
