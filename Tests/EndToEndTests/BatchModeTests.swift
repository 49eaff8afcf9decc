import Foundation
import XCTest

/// bench driven from stdin, `-c`, words and replay: errors, exit codes and recorded scripts.
final class BatchModeTests: XCTestCase {
    var bench: BenchProcess!

    override func setUpWithError() throws { bench = try BenchProcess() }
    override func tearDown() { bench.cleanUp() }

    func testServerListThenUnknownCommandStopsWithExitOne() throws {
        let result = try bench.run([], stdin: "server list\nbogus\necho never\n")
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stdout.contains("redis"), result.stdout)
        XCTAssertTrue(result.stdout.contains("shipped"), result.stdout)
        XCTAssertFalse(result.stdout.contains("never"))
        XCTAssertTrue(result.stderr.hasPrefix("<stdin>:2: error: unknown command 'bogus'"), result.stderr)
        // No prompt and no escape codes in batch output.
        XCTAssertFalse(result.stdout.contains("bench>"))
        XCTAssertFalse((result.stdout + result.stderr).contains("\u{1B}["))
    }

    func testContinueOnErrorRunsEverythingAndStillFails() throws {
        let result = try bench.run(["--continue-on-error"], stdin: "bogus\necho after\n")
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stdout.contains("after"))
    }

    func testDashCAndTrailingWordsAreOneCommand() throws {
        let c = try bench.run(["-c", "echo 'hello  world'", "-c", "echo second"])
        XCTAssertEqual(c.status, 0, c.stderr)
        XCTAssertEqual(c.stdout, "hello  world\nsecond\n")
        let words = try bench.run(["echo", "two words"])
        XCTAssertEqual(words.stdout, "two words\n")
        let bad = try bench.run(["-c", "server info nosuchrecipe"])
        XCTAssertEqual(bad.status, 1)
        XCTAssertTrue(bad.stderr.hasPrefix("<command>:1: error: unknown server recipe 'nosuchrecipe'"), bad.stderr)
    }

    func testUsageErrorsOfBenchItselfExitTwo() throws {
        let result = try bench.run(["--no-such-flag"])
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.stderr.contains("no-such-flag"), result.stderr)
        XCTAssertEqual(try bench.run(["--replay", "missing.bench"]).status, 2)
        XCTAssertEqual(try bench.run(["--session", "../escape", "-c", "echo x"]).status, 2)
        XCTAssertEqual(try bench.run(["--help"]).status, 0)
    }

    func testHelpListsAreasAndShowsACommand() throws {
        let overview = try bench.run(["help"])
        for area in ["Servers:", "Clients:", "Monitors:", "Recipes:", "Session:", "Shell:"] {
            XCTAssertTrue(overview.stdout.contains(area), "\(area) missing in \(overview.stdout)")
        }
        let detail = try bench.run(["help", "recipe", "new"])
        XCTAssertTrue(detail.stdout.contains("usage: recipe new KIND NAME [--dir DIR] [--force]"), detail.stdout)
        XCTAssertTrue(detail.stdout.contains("[default: recipes]"), detail.stdout)
        XCTAssertTrue(detail.stdout.contains("Examples:"), detail.stdout)
        let metrics = try bench.run(["help", "metrics"])
        XCTAssertTrue(metrics.stdout.contains("TPOT"))
        let unknown = try bench.run(["-c", "server strat"])
        XCTAssertTrue(unknown.stderr.contains("did you mean 'server start'?") || unknown.stderr.contains("unknown subcommand 'server strat'"), unknown.stderr)
    }

    func testRecipeNewWritesATemplateThatChecksAndShadowsTheShippedOne() throws {
        let new = try bench.run(["-c", "recipe new server redis"])
        XCTAssertEqual(new.status, 0, new.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: bench.directory.appendingPathComponent("recipes/servers/redis.yaml").path))
        let again = try bench.run(["-c", "recipe new server redis"])
        XCTAssertEqual(again.status, 1)
        XCTAssertTrue(again.stderr.contains("exists; use --force"), again.stderr)
        let check = try bench.run(["-c", "recipe check recipes/servers/redis.yaml"])
        XCTAssertEqual(check.status, 0, check.stderr)
        XCTAssertTrue(check.stdout.contains("ok"), check.stdout)
        // ./recipes shadows the shipped recipe of the same name, and the listing says so.
        let list = try bench.run(["-c", "server list"])
        let redisLine = list.stdout.split(separator: "\n").first { $0.hasPrefix("redis ") }
        XCTAssertNotNil(redisLine, list.stdout)
        XCTAssertTrue(redisLine!.contains("./recipes (shadows 1)"), String(redisLine!))
    }

    func testRecipeCheckReportsFileLineColumn() throws {
        try bench.write("bad/servers/broken.yaml", "name: broken\nservice:\n  command: [redis-server]\nreadyness:\n  type: tcp\n")
        let result = try bench.run(["-c", "recipe check bad/servers/broken.yaml"])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.contains("bad/servers/broken.yaml:4:1: readyness:"), result.stderr)
        XCTAssertTrue(result.stderr.contains("did you mean 'readiness'?"), result.stderr)
        XCTAssertTrue(result.stderr.contains("<command>:1: error: recipe check: 1 of 1 recipe has errors"), result.stderr)
    }

    func testSourceReportsTheFileAndLine() throws {
        try bench.write("jobs/setup.bench", "echo from-file\n\n# comment\nnot-a-command\necho unreachable\n")
        let result = try bench.run(["--session", "src"], stdin: "source jobs/setup.bench\necho after\n")
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stdout.contains("from-file"))
        XCTAssertFalse(result.stdout.contains("unreachable"))
        XCTAssertTrue(result.stderr.contains("jobs/setup.bench:4: error: unknown command 'not-a-command'"), result.stderr)
        // The lines that ran are recorded on their own, not the `source` command.
        let script = try bench.read("sessions/src.bench")
        XCTAssertTrue(script.contains("\necho from-file\n"), script)
        XCTAssertFalse(script.contains("\nsource "), script)
    }

    func testSettingsAreValidatedAndRecorded() throws {
        let result = try bench.run(["--session", "settings"], stdin: "set timing on\nset colour off\n")
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.contains("<stdin>:2: error: unknown setting 'colour'; did you mean 'color'?"), result.stderr)
        XCTAssertTrue(result.stderr.contains("Time: "), "timing on prints the time of later commands")
        let script = try bench.read("sessions/settings.bench")
        XCTAssertTrue(script.contains("\nset timing on\n"))
        XCTAssertTrue(script.contains("# failed: set colour off\n#   error: unknown setting 'colour'"), script)
    }

    func testInterruptInBatchExits130AndKeepsTheScript() throws {
        let (process, input, output, errors) = try bench.start(["--session", "intr"])
        input.fileHandleForWriting.write(Data("echo before\nsleep 30s\necho after\n".utf8))
        let script = bench.directory.appendingPathComponent("sessions/intr.bench")
        BenchProcess.waitUntil(10, "the first command to be recorded") {
            (try? String(contentsOf: script, encoding: .utf8))?.contains("echo before") == true
        }
        Thread.sleep(forTimeInterval: 0.3)
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 130)
        let err = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertTrue(err.contains("<stdin>:2: error: interrupted"), err)
        XCTAssertFalse(String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).contains("after"))
        let text = try String(contentsOf: script, encoding: .utf8)
        XCTAssertTrue(text.contains("# interrupted: sleep 30s"), text)
    }
}
