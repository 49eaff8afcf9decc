import Foundation
import XCTest

/// A session killed at any moment replays up to its last completed command.
final class RecordReplayTests: XCTestCase {
    var bench: BenchProcess!

    override func setUpWithError() throws { bench = try BenchProcess() }
    override func tearDown() { bench.cleanUp() }

    func testKilledSessionReplaysUpToItsLastCompletedCommand() throws {
        let (process, input, _, _) = try bench.start(["--session", "exp1"])
        input.fileHandleForWriting.write(Data("echo one\nset timing on\nsleep 100ms\necho 'two words'\nsleep 60s\necho never\n".utf8))
        let script = bench.directory.appendingPathComponent("sessions/exp1.bench")
        BenchProcess.waitUntil(10, "four commands to be recorded") {
            (try? String(contentsOf: script, encoding: .utf8))?.contains("echo 'two words'") == true
        }
        // SIGKILL: no chance to clean up or flush anything more.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()

        let recorded = try String(contentsOf: script, encoding: .utf8)
        let commands = recorded.split(separator: "\n").filter { !$0.hasPrefix("#") }.map(String.init)
        XCTAssertEqual(commands, ["echo one", "set timing on", "sleep 100ms", "echo 'two words'"])

        let replay = try bench.run(["--replay", "sessions/exp1.bench"])
        XCTAssertEqual(replay.status, 0, replay.stderr)
        XCTAssertEqual(replay.stdout, "one\ntwo words\n")
        XCTAssertTrue(replay.stderr.contains("replayed 4 of 4 commands"), replay.stderr)
        // The replay wrote a new session whose commands are the same.
        let replayed = try bench.read("sessions/exp1-replay.bench")
        XCTAssertEqual(replayed.split(separator: "\n").filter { !$0.hasPrefix("#") }.map(String.init), commands)
        XCTAssertTrue(replayed.contains("# replay-of: sessions/exp1.bench"))
    }

    func testAnInterruptedCommandsHandlesAreSkippedOnReplay() throws {
        // Recorded: m1 interrupted (not run again), then m2. The replay's monitor is m2 as well.
        try bench.write("exp3.bench", "# interrupted: monitor start sampler  # -> m1\nmonitor start sampler  # -> m2\nmonitor stop m2\n")
        let result = try bench.run(["--replay", "exp3.bench"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertFalse(result.stderr.contains("handles differ"), result.stderr)
        XCTAssertTrue(result.stderr.contains("replayed 2 of 2 commands"), result.stderr)
    }

    func testReplayStopsAtTheFirstErrorWithFileAndLine() throws {
        try bench.write("exp2.bench", "# a hand-written script\necho ok\n\nsleep forever\necho unreachable\n")
        let result = try bench.run(["--replay", "exp2.bench"])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.contains("exp2.bench:4: error: sleep: DURATION: 'forever' is not a duration"), result.stderr)
        XCTAssertFalse(result.stdout.contains("unreachable"))
    }
}
