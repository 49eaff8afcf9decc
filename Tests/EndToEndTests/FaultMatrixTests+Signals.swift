import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Ctrl-C (SIGINT), SIGTERM and SIGHUP delivered while bench runs a command.
extension FaultMatrixTests {
    /// A command long enough to be interrupted, and what its interrupted line starts with in the script.
    private struct LongCommand {
        let label: String
        let arguments: [String]
        let stdin: String
        let recorded: String
        /// Whether it takes a run handle (r1), whose result then says `interrupted`.
        let runs: Bool
    }

    private static let longRun = "client run redis-get-set --target s1 --duration 5s --warmup 0s --concurrency 2 --quiet"

    private func longCommands() throws -> [LongCommand] {
        // Never ready: its start waits in readiness until the signal comes.
        try bench.write("recipes/servers/slow.yaml", """
        description: never ready, so a start waits
        service:
          command: [sleep, "60"]
        ports:
          main: auto
        readiness:
          type: tcp
          timeout: 30s
        """)
        try bench.write("replayed.bench", "server start redis\n\(Self.longRun)\n")
        return [
            LongCommand(label: "server start", arguments: [], stdin: "server start slow\n", recorded: "# interrupted: server start slow\n", runs: false),
            LongCommand(label: "client run", arguments: [], stdin: "server start redis\n\(Self.longRun)\n",
                        recorded: "# interrupted: \(Self.longRun) --seed 1  # -> r1\n", runs: true),
            LongCommand(label: "client sweep", arguments: [],
                        stdin: "server start redis\nclient sweep redis-get-set --target s1 --duration 5s --warmup 0s --quiet --concurrency 1,2\n",
                        recorded: "# interrupted: client sweep redis-get-set --target s1 --duration 5s --warmup 0s --quiet --concurrency 1,2 --seed 1  # -> r1\n",
                        runs: true),
            LongCommand(label: "--replay", arguments: ["--replay", "replayed.bench"], stdin: "",
                        recorded: "# interrupted: \(Self.longRun) --seed 1  # -> r1\n", runs: true),
        ]
    }

    /// Outcome: SIGINT, SIGTERM or SIGHUP during `server start`, `client run`, `client sweep` or `--replay`
    /// ends the command (kept as `# interrupted:`, a run's result written as interrupted), stops every
    /// server it started, and exits 130, 143 or 129.
    func testSignalsDuringACommandEndItStopTheServersAndExitAsDocumented() throws {
        let root = bench.directory.appendingPathComponent("sessions")
        for command in try longCommands() {
            for (signo, status, message) in [(SIGINT, Int32(130), "interrupted"), (SIGTERM, 143, "interrupted by SIGTERM (bench is leaving)"),
                                             (SIGHUP, 129, "interrupted by SIGHUP (bench is leaving)")] {
                let name = "sig\(signo)-\(command.label.filter(\.isLetter))"
                let what = "\(command.label) + signal \(signo)"
                let live = try StreamingBench(bench, ["--session", name] + command.arguments)
                live.send(command.stdin)
                if command.runs {
                    let events = root.appendingPathComponent("\(name)/events.jsonl")
                    BenchProcess.waitUntil(20, "\(what): the run to start") {
                        (try? String(contentsOf: events, encoding: .utf8))?.contains("run-started") == true
                    }
                    Thread.sleep(forTimeInterval: 0.3)
                } else {
                    BenchProcess.waitUntil(20, "\(what): the server to be launched") { self.startedPid("s1", in: live.stderr) != nil }
                }
                let pids = ["s1", "s2"].compactMap { startedPid($0, in: live.stderr) }
                XCTAssertFalse(pids.isEmpty, "\(what): \(live.stderr)")
                let sent = Date()
                kill(live.process.processIdentifier, signo)
                let exit = live.waitForExit(timeout: 15)
                // Before the 10 s after which bench would stop everything at once: the orderly way ended it.
                XCTAssertLessThan(Date().timeIntervalSince(sent), 8, "\(what): bench took too long to leave\n\(live.stderr)")
                XCTAssertFalse(live.stderr.contains("stopping the session's servers"), "\(what): the emergency stop ran\n\(live.stderr)")
                XCTAssertEqual(exit, status, "\(what): \(live.stderr)")
                XCTAssertTrue(live.stderr.contains("error: \(message)"), "\(what): \(live.stderr)")
                for pid in pids { XCTAssertFalse(ServiceProbes.groupIsAlive(pid), "\(what): pid \(pid) outlived bench") }
                let script = (try? String(contentsOf: root.appendingPathComponent("\(name).bench"), encoding: .utf8)) ?? ""
                XCTAssertTrue(script.contains("\n" + command.recorded), "\(what): the script keeps the interrupted command:\n\(script)")
                if command.runs {
                    let result = try JSONSerialization.jsonObject(with: Data(contentsOf: root.appendingPathComponent("\(name)/runs/r1.json"))) as? [String: Any]
                    XCTAssertEqual(result?["status"] as? String, "interrupted", what)
                    XCTAssertFalse(FileManager.default.fileExists(atPath: root.appendingPathComponent("\(name)/runs/r2.json").path), "\(what): no run after the signal")
                }
                assertIntact(root, name)
            }
        }
    }
}
