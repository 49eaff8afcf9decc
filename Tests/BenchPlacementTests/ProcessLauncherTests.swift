import BenchCore
@testable import BenchPlacement
import Foundation
import ProcessTestSupport
import Glibc
import XCTest

final class ProcessLauncherTests: XCTestCase {
    func testLaunchWritesLogsLeadsItsGroupAndResetsSignals() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // Bench ignores these; a child must not inherit the ignored dispositions.
        let saved = [SIGINT, SIGTERM, SIGHUP].map { ($0, signal($0, SIG_IGN)) }
        defer { saved.forEach { signal($0.0, $0.1) } }

        let process = try launchShell("echo out; echo err >&2; exec sleep 30", in: directory)
        defer { killAndReap(process) }

        XCTAssertEqual(process.processGroup, process.pid)
        XCTAssertEqual(getpgid(process.pid), process.pid, "the child leads its own process group")
        XCTAssertNotEqual(getpgid(process.pid), getpgid(0))
        XCTAssertTrue(eventually { commandName(of: process.pid) == "sleep" }, "the shell execs sleep")
        let ignored = try XCTUnwrap(signalMask("SigIgn", of: process.pid))
        XCTAssertEqual(ignored & (maskBit(SIGINT) | maskBit(SIGTERM) | maskBit(SIGHUP)), 0,
                       "SIGINT/SIGTERM/SIGHUP are at their default disposition, mask \(String(ignored, radix: 16))")
        XCTAssertEqual(signalMask("SigBlk", of: process.pid), 0, "no signal is blocked")

        XCTAssertTrue(eventually { (try? String(contentsOfFile: directory + "/stdout.log", encoding: .utf8)) == "out\n" })
        XCTAssertEqual(try String(contentsOfFile: directory + "/stderr.log", encoding: .utf8), "err\n")
        XCTAssertEqual(ProcessInspector.startTime(of: process.pid), process.startTime)
        XCTAssertTrue(ProcessInspector.isSameProcess(pid: process.pid, startTime: process.startTime))
        XCTAssertFalse(ProcessInspector.isSameProcess(pid: process.pid, startTime: process.startTime + 1))
    }

    func testLogsAreAppendedNotTruncated() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for word in ["first", "second"] {
            let process = try launchShell("echo \(word)", in: directory)
            XCTAssertTrue(eventually { ProcessInspector.reap(pid: process.pid) == .exited(0) })
        }
        XCTAssertEqual(try String(contentsOfFile: directory + "/stdout.log", encoding: .utf8), "first\nsecond\n")
    }

    func testOnlyTheGivenEnvironmentWorkingDirectoryAndNoInput() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        setenv("BENCH_TEST_LEAK", "leaked", 1)
        defer { unsetenv("BENCH_TEST_LEAK") }
        let process = try ProcessLauncher.launch(LaunchSpec(
            argv: ["sh", "-c", "echo \"[$GREETING][$BENCH_TEST_LEAK]\"; pwd; cat; ls /proc/self/fd | wc -l"],
            environment: ["PATH": "/usr/bin:/bin", "GREETING": "hi there"], workingDirectory: directory,
            stdoutPath: directory + "/out.log", stderrPath: directory + "/out.log"))
        XCTAssertTrue(eventually { ProcessInspector.reap(pid: process.pid) == .exited(0) })
        let lines = try String(contentsOfFile: directory + "/out.log", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 3, "\(lines)")
        XCTAssertEqual(lines.first, "[hi there][]")
        XCTAssertEqual(lines.dropFirst().first.map(String.init).map { URL(fileURLWithPath: $0).resolvingSymlinksInPath().path },
                       URL(fileURLWithPath: directory).resolvingSymlinksInPath().path)
        // ls sees 0, 1, 2 and its own directory handle: nothing of the test process leaked in.
        XCTAssertEqual(lines.last, "4")
    }

    func testWorkingDirectoryFallbackForOldGlibc() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let process = try ProcessLauncher.launch(LaunchSpec(
            argv: ["sh", "-c", "pwd; echo \"$0|$1|$2\"", "zero", "one two", ""], environment: ["PATH": "/usr/bin:/bin"],
            workingDirectory: directory, stdoutPath: directory + "/out.log", stderrPath: directory + "/out.log"),
            changeDirectoryWithShell: true)
        XCTAssertTrue(eventually { ProcessInspector.reap(pid: process.pid) == .exited(0) })
        let lines = try String(contentsOfFile: directory + "/out.log", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.first.map { URL(fileURLWithPath: String($0)).resolvingSymlinksInPath().path },
                       URL(fileURLWithPath: directory).resolvingSymlinksInPath().path)
        XCTAssertEqual(lines.last, "zero|one two|", "arguments pass through unchanged")
    }

    func testMissingExecutableIsAClearError() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let spec = LaunchSpec(argv: ["redis-serverx", "--port", "1"], environment: ["PATH": "/usr/local/bin:/usr/bin"],
                              workingDirectory: directory, stdoutPath: directory + "/o", stderrPath: directory + "/e")
        XCTAssertThrowsError(try ProcessLauncher.launch(spec)) { error in
            XCTAssertEqual((error as? BenchError)?.message,
                           "cannot start 'redis-serverx': not found in PATH (/usr/local/bin:/usr/bin)")
        }
    }

    func testNonExecutableAndBadWorkingDirectoryAreClearErrors() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        _ = FileManager.default.createFile(atPath: directory + "/tool", contents: Data("#!/bin/sh\n".utf8))
        var spec = LaunchSpec(argv: ["./tool"], environment: [:], workingDirectory: directory,
                              stdoutPath: directory + "/o", stderrPath: directory + "/e")
        XCTAssertThrowsError(try ProcessLauncher.launch(spec)) { error in
            XCTAssertEqual((error as? BenchError)?.message, "cannot start './tool': \(directory)/./tool is not executable")
        }
        spec.argv = ["tool"]
        spec.environment = ["PATH": directory]
        XCTAssertThrowsError(try ProcessLauncher.launch(spec)) { error in
            XCTAssertEqual((error as? BenchError)?.message, "cannot start 'tool': \(directory)/tool is not executable")
        }
        spec.argv = ["/bin/true"]
        spec.workingDirectory = directory + "/missing"
        XCTAssertThrowsError(try ProcessLauncher.launch(spec)) { error in
            XCTAssertEqual((error as? BenchError)?.message,
                           "cannot start '/bin/true': working directory \(directory)/missing does not exist")
        }
        spec.workingDirectory = directory
        spec.stdoutPath = directory + "/no/such/folder/out.log"
        XCTAssertThrowsError(try ProcessLauncher.launch(spec)) { error in
            XCTAssertEqual((error as? BenchError)?.message,
                           "cannot start '/bin/true': cannot open log file \(directory)/no/such/folder/out.log: No such file or directory")
        }
    }

    func testLaunchedProcessRoundTripsThroughJSON() throws {
        let process = LaunchedProcess(pid: 42, processGroup: 42, startTime: 123_456)
        let data = try JSONEncoder().encode(process)
        XCTAssertEqual(try JSONDecoder().decode(LaunchedProcess.self, from: data), process)
    }
}
