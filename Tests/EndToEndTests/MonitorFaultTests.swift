import Foundation
import Synchronization
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// A monitor that dies is noticed like a server that dies, the runs it missed say so, and
/// `monitor restart` brings it back with the samples it had.
final class MonitorFaultTests: XCTestCase {
    var bench: BenchProcess!

    override func setUpWithError() throws { bench = try BenchProcess() }

    override func tearDown() {
        _ = try? bench.run(["--cleanup"])
        bench.cleanUp()
    }

    /// What a running bench wrote so far, read as it comes.
    private final class Collected: Sendable {
        private let text = Mutex("")
        init(_ pipe: Pipe) {
            pipe.fileHandleForReading.readabilityHandler = { [self] handle in
                let data = handle.availableData
                if !data.isEmpty { text.withLock { $0 += String(decoding: data, as: UTF8.self) } }
            }
        }
        var value: String { text.withLock { $0 } }
    }

    private func stateJSON(_ session: String) -> [String: Any]? {
        guard let data = try? Data(contentsOf: bench.directory.appendingPathComponent("sessions/\(session)/state.json")) else { return nil }
        return try? JSONSerialization.jsonObject(with: data) as? [String: Any]
    }

    /// Prometheus' pid as state.json records it (the first of m1's processes; node exporter second).
    private func prometheusPid(_ session: String) -> Int32? {
        let processes = (stateJSON(session)?["auxiliary"] as? [String: Any])?["m1"] as? [[String: Any]]
        return (processes?.first?["pid"] as? Int).map(Int32.init)
    }

    private func clock(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "HH:mm:ss"
        return formatter.string(from: date)
    }

    private func date(_ text: Any?) throws -> Date {
        let iso = ISO8601DateFormatter()
        iso.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return try XCTUnwrap(iso.date(from: text as? String ?? ""), "\(text ?? "nil")")
    }

    /// Sample times of the `total` query in an export file.
    private func sampleTimes(_ path: String) throws -> [Double] {
        let export = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(bench.read(path).utf8)) as? [String: Any])
        let series = (((export["queries"] as? [String: Any])?["total"] as? [String: Any])?["series"] as? [[String: Any]]) ?? []
        return series.flatMap { ($0["values"] as? [[Any]] ?? []).compactMap { $0.first as? Double } }.sorted()
    }

    func testPrometheusKilledDuringARunIsNoticedRecordedAndRestartedWithItsData() throws {
        let session = "monfault"
        let (process, input, output, errors) = try bench.start(["--session", session, "--continue-on-error"])
        let stdout = Collected(output), stderr = Collected(errors)
        func send(_ lines: String) { input.fileHandleForWriting.write(Data((lines + "\n").utf8)) }
        func waitFor(_ marker: String, _ timeout: TimeInterval = 90) {
            BenchProcess.waitUntil(timeout, "'\(marker)' on stdout\n--- stdout:\n\(stdout.value)\n--- stderr:\n\(stderr.value)") {
                stdout.value.contains(marker)
            }
        }
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }

        send("""
        server start redis
        monitor start prometheus
        monitor attach m1 s1
        client run redis-get-set --target s1 --duration 12s --warmup 0s --concurrency 4 --quiet
        """)
        BenchProcess.waitUntil(120, "r1 started") {
            (try? self.bench.read("sessions/\(session)/events.jsonl"))?.contains("\"run-started\"") == true
        }
        Thread.sleep(forTimeInterval: 4)
        let pid = try XCTUnwrap(prometheusPid(session), "prometheus in state.json")
        let killedAt = Date()
        XCTAssertEqual(kill(pid, SIGKILL), 0)

        send("""
        monitor status
        show r1
        monitor query m1 up
        client run redis-get-set --target s1 --duration 3s --warmup 0s --concurrency 2 --quiet
        monitor restart m9
        monitor restart m1
        monitor status
        sleep 3s
        monitor query m1 redis_commands_processed_total
        monitor export m1 --run r1 --query total=redis_commands_processed_total --out r1-kept.json
        monitor export m1 --last 5m --query total=redis_commands_processed_total --out around.json
        echo restarted-and-queried
        """)
        waitFor("restarted-and-queried", 180)
        let out = stdout.value, err = stderr.value

        // The death is shown before the next command, with when and how, like a server's.
        let notice = try XCTUnwrap(err.split(separator: "\n").first { $0.hasPrefix("m1 prometheus killed(SIGKILL) at ") }, err)
        XCTAssertTrue(notice.hasSuffix("; see 'monitor logs m1' ('monitor restart m1' starts it again, keeping its data)"), String(notice))
        XCTAssertTrue([clock(killedAt), clock(killedAt.addingTimeInterval(1))].contains { notice.contains("at \($0);") }, "\(notice) vs kill at \(clock(killedAt))")
        // monitor status: dead first, live after the restart, same handle.
        XCTAssertTrue(out.contains("m1       prometheus  prometheus killed(SIGKILL) at "), out)
        XCTAssertTrue(out.range(of: #"m1       prometheus  live\s+pid \d+\s+s1"#, options: .regularExpression) != nil, out)
        // Asking the dead one says why and what brings it back.
        XCTAssertTrue(err.contains("<stdin>:7: error: m1 (prometheus) is not running: prometheus killed(SIGKILL) at "), err)

        // r1's result says how much of the run the monitor saw, and why not all.
        let r1 = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(bench.read("sessions/\(session)/runs/r1.json").utf8)) as? [String: Any])
        let m1 = try XCTUnwrap((r1["monitor"] as? [String: Any])?["m1"] as? [String: Any], "\(r1["monitor"] ?? "no monitor section")")
        XCTAssertEqual(m1["status"] as? String, "partial", "\(m1)")
        let note = try XCTUnwrap(m1["note"] as? String)
        XCTAssertTrue(note.hasPrefix("m1 prometheus killed(SIGKILL) at "), note)
        let started = try date(r1["started_at"])
        let covered = try XCTUnwrap(m1["covered_s"] as? Double)
        // Noticed within a quarter second (plus a busy machine's scheduling).
        XCTAssertEqual(covered, killedAt.timeIntervalSince(started), accuracy: 1.0, note)
        XCTAssertTrue(note.contains(String(format: "(%.1f s of ", covered)), note)
        // show prints that line, not a header over an empty table.
        XCTAssertTrue(out.contains("  server side (monitor m1): partial: m1 prometheus killed(SIGKILL) at "), out)
        XCTAssertTrue(out.contains("'monitor restart m1', then 'monitor export m1 --run r1', reads the samples it kept"), out)
        XCTAssertFalse(out.contains("server side (monitor m1, over the run)"), out)

        // A run while it was dead: missing, and why.
        let r2 = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(bench.read("sessions/\(session)/runs/r2.json").utf8)) as? [String: Any])
        let r2m1 = try XCTUnwrap((r2["monitor"] as? [String: Any])?["m1"] as? [String: Any])
        XCTAssertEqual(r2m1["status"] as? String, "missing", "\(r2m1)")
        XCTAssertTrue((r2m1["note"] as? String)?.contains("(0.0 s of ") == true, "\(r2m1)")

        // An unknown handle names itself and the monitors there are; nothing else changes.
        XCTAssertTrue(err.contains("<stdin>:9: error: unknown monitor handle 'm9' (valid: m1)"), err)

        // Restarted on the same targets: queries answer, and the samples from before the kill are
        // still there (the TSDB folder was kept), beside new ones.
        XCTAssertTrue(out.range(of: #"m1 live \(pid \d+\), scrapes s1"#, options: .regularExpression) != nil, out)
        XCTAssertTrue(out.contains("handle=\"s1\""), out)
        let kept = try sampleTimes("r1-kept.json")
        XCTAssertFalse(kept.filter { $0 >= started.timeIntervalSince1970 - 1 && $0 <= killedAt.timeIntervalSince1970 }.isEmpty,
                       "samples of r1 from before the kill: \(kept)")
        // r2 ran while it was dead: samples after r2 are the restarted Prometheus'.
        let around = try sampleTimes("around.json")
        let r2Ended = try date(r2["ended_at"]).timeIntervalSince1970
        XCTAssertTrue(around.contains { $0 < killedAt.timeIntervalSince1970 } && around.contains { $0 > r2Ended }, "\(around)")
        let newPid = try XCTUnwrap(prometheusPid(session))
        XCTAssertNotEqual(newPid, pid)

        // The session script has the restart, to replay; the bad one as a comment.
        let script = try bench.read("sessions/\(session).bench")
        XCTAssertTrue(script.contains("\nmonitor restart m1\n"), script)
        XCTAssertTrue(script.contains("# failed: monitor restart m9"), script)

        // Killed again, just before bench leaves: bench says it had died, not that it stopped it.
        XCTAssertEqual(kill(newPid, SIGKILL), 0)
        // kill() returns before the process is gone; one that dies while bench stops it is bench's doing.
        BenchProcess.waitUntil(10, "prometheus \(newPid) gone") { !ServiceProbes.groupMembers(newPid).contains(newPid) }
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
        Thread.sleep(forTimeInterval: 0.2)
        let end = stderr.value
        XCTAssertTrue(end.contains("m1 had died: prometheus killed(SIGKILL) at "), end)
        XCTAssertFalse(end.contains("stopped m1"), end)
        XCTAssertTrue(end.contains("stopped s1 on exit"), end)
        // Its node exporter did not outlive bench.
        let left = (stateJSON(session)?["auxiliary"] as? [String: Any])?["m1"]
        XCTAssertNil(left, "\(left ?? "")")
    }

    /// A Prometheus that stops answering (SIGSTOP) is noticed and shown as such, and again when it answers.
    func testPrometheusThatStopsAnsweringIsNoticedAndSoIsItsReturn() throws {
        let session = "monhang"
        let (process, input, output, errors) = try bench.start(["--session", session])
        let stdout = Collected(output), stderr = Collected(errors)
        func send(_ lines: String) { input.fileHandleForWriting.write(Data((lines + "\n").utf8)) }
        func waitFor(_ marker: String, in collected: Collected, _ timeout: TimeInterval = 60) {
            BenchProcess.waitUntil(timeout, "'\(marker)'\n--- stdout:\n\(stdout.value)\n--- stderr:\n\(stderr.value)") {
                collected.value.contains(marker)
            }
        }
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        send("monitor start prometheus\necho started")
        waitFor("started", in: stdout)
        let pid = try XCTUnwrap(prometheusPid(session))
        let stoppedAt = Date()
        XCTAssertEqual(kill(pid, SIGSTOP), 0)
        defer { kill(pid, SIGCONT) }
        // Three probes of up to 2 s each, a second apart; then the notice waits for the next command.
        Thread.sleep(forTimeInterval: 12)
        send("monitor status\necho hung")
        waitFor("hung", in: stdout)
        kill(pid, SIGCONT)
        Thread.sleep(forTimeInterval: 3)
        send("monitor status\necho back")
        waitFor("back", in: stdout)
        let out = stdout.value, err = stderr.value
        let since = try XCTUnwrap(err.split(separator: "\n").first { $0.hasPrefix("m1 prometheus has not answered since ") }, err)
        XCTAssertTrue(since.hasSuffix("; see 'monitor logs m1'; 'monitor restart m1' starts it again, keeping its data"), String(since))
        XCTAssertTrue((0...3).map { clock(stoppedAt.addingTimeInterval(Double($0))) }.contains { since.contains("since \($0);") },
                      "\(since) vs SIGSTOP at \(clock(stoppedAt))")
        XCTAssertTrue(out.contains("m1       prometheus  not answering since "), out)
        XCTAssertTrue(err.contains("m1 prometheus answers again (it did not from "), err)
        XCTAssertTrue(out.range(of: #"m1       prometheus  live\s+pid \#(pid)"#, options: .regularExpression) != nil, out)
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
        XCTAssertTrue(stderr.value.contains("stopped m1 on exit"), stderr.value)
    }

    /// `monitor restart` of the built-in sampler: recorded, replayed, same handle.
    func testRestartIsRecordedAndReplays() throws {
        let first = try bench.run(["--session", "monre", "--continue-on-error"], stdin: """
        monitor start sampler
        monitor restart m1
        monitor restart m9
        monitor status
        """)
        XCTAssertEqual(first.status, 1, first.stderr)
        XCTAssertTrue(first.stdout.contains("m1 live (in bench)"), first.stdout)
        XCTAssertTrue(first.stderr.contains("<stdin>:3: error: unknown monitor handle 'm9' (valid: m1)"), first.stderr)
        let replay = try bench.run(["--replay", "sessions/monre.bench"])
        XCTAssertEqual(replay.status, 0, replay.stderr)
        XCTAssertTrue(replay.stdout.contains("m1 live (in bench)"), replay.stdout)
        XCTAssertTrue(replay.stderr.contains("replayed 2 of 2 commands"), replay.stderr)
    }
}
