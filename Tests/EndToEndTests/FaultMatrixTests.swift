import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Faults injected for real, each with its one-line outcome asserted (README: "What bench promises
/// under faults"). This file: bench SIGKILLed while it writes. The others: a full or read-only disk
/// (+Disk), a target or a SLURM node lost mid-run (+Targets), SIGINT/SIGTERM/SIGHUP (+Signals).
final class FaultMatrixTests: XCTestCase {
    var bench: BenchProcess!

    override func setUpWithError() throws { bench = try BenchProcess() }

    override func tearDown() {
        // Whatever a killed bench left running: stop it through bench itself.
        _ = try? bench.run(["--cleanup"])
        bench.cleanUp()
    }

    /// A busy session: a server, a monitor, then short runs and exports back to back, each writing
    /// `runs/rN.json`, an export, `events.jsonl` and a script line.
    static let busySession: String = {
        var lines = ["server start redis", "monitor start sampler", "monitor attach m1 s1"]
        for _ in 0..<40 {
            lines.append("client run redis-get-set --target s1 --requests 100 --warmup 0s --concurrency 2 --quiet")
            lines.append("monitor export m1 --last 2s")
        }
        return lines.joined(separator: "\n") + "\n"
    }()

    /// Outcome: every file a SIGKILLed bench leaves parses (no torn file), and `--cleanup` stops its servers.
    func testSigkillWhileWritingLeavesNoTornFile() throws {
        // Kills the moment bench touches a file (the n-th event naming it), then at fixed times.
        let onWrites: [(String, Int)] = [
            (".bench", 1), (".bench", 5), ("state.json", 1), ("state.json", 2), ("r2.json", 1), ("r4.json", 1),
            ("export-", 1), ("export-", 3), ("events.jsonl", 3), ("redis-get-set.yaml", 1),
        ]
        let afterDelays: [TimeInterval] = [0.15, 0.4, 0.7, 1.0]
        let root = bench.directory.appendingPathComponent("sessions")
        var temporariesSeen: [String] = []
        var checkedKinds: [String: Int] = [:]
        for index in 0..<(onWrites.count + afterDelays.count) {
            let name = "kill\(index)"
            let session = root.appendingPathComponent(name)
            // The folders exist before bench starts, so inotify can watch them from the first write
            // (not runs/: a session folder with one is a recorded session, which a new bench refuses).
            let folders = [root, session, session.appendingPathComponent("monitors/m1")]
                + ["servers", "clients", "monitors"].map { session.appendingPathComponent("recipes/\($0)") }
            for folder in folders { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) }
            let watcher = try WriteWatcher(folders: folders)
            let (process, input, _, _) = try bench.start(["--session", name])
            input.fileHandleForWriting.write(Data(Self.busySession.utf8))
            var what: String
            if index < onWrites.count {
                let (fragment, occurrence) = onWrites[index]
                guard let event = watcher.kill(process.processIdentifier, onEvent: occurrence, naming: fragment, timeout: 20) else {
                    XCTFail("\(name): bench never wrote '\(fragment)' \(occurrence) time(s)")
                    kill(process.processIdentifier, SIGKILL)
                    process.waitUntilExit()
                    continue
                }
                what = "at event \(occurrence) on \(event)"
            } else {
                Thread.sleep(forTimeInterval: afterDelays[index - onWrites.count])
                kill(process.processIdentifier, SIGKILL)
                what = "after \(afterDelays[index - onWrites.count])s"
            }
            process.waitUntilExit()
            XCTAssertEqual(process.terminationReason, .uncaughtSignal, "\(name) \(what): bench ended before the kill")
            let check = SessionFileChecker.check(sessionsRoot: root, name: name)
            XCTAssertEqual(check.problems, [], "\(name), SIGKILL \(what): torn files")
            temporariesSeen += check.temporaries.map { "\(name)/\($0)" }
            checkedKinds.merge(check.checked) { $0 + $1 }
        }
        // The check saw every kind of file, so an empty problem list means something.
        for kind in ["script", "state.json", "runs", "monitors", "events.jsonl", "recipes"] {
            XCTAssertGreaterThan(checkedKinds[kind] ?? 0, 0, "no \(kind) file was ever checked: \(checkedKinds)")
        }
        if !temporariesSeen.isEmpty { print("complete temporaries left by kills (each parsed): \(temporariesSeen)") }

        // No orphans: the killed benches' servers are in their state files, and --cleanup stops them all.
        let pids = (0..<(onWrites.count + afterDelays.count)).flatMap { index in
            ServiceProbes.servers(in: bench.directory, session: "kill\(index)").values.compactMap(ServiceProbes.pid)
        }
        XCTAssertFalse(pids.isEmpty, "some kills came after a server started")
        let cleanup = try bench.run(["--cleanup"])
        XCTAssertEqual(cleanup.status, 0, cleanup.stderr)
        for pid in pids {
            BenchProcess.waitUntil(10, "redis pid \(pid) to be stopped by --cleanup") { !ServiceProbes.groupIsAlive(pid) }
        }
    }
}
