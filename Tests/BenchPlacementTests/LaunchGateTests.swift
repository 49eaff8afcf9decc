@testable import BenchPlacement
import Foundation
import Glibc
import ProcessTestSupport
import XCTest

/// A gated server starts only once bench opens its gate, and never when bench gives up on it (or dies).
final class LaunchGateTests: XCTestCase {
    private func launchGated(_ script: String, in directory: String) throws -> LaunchedProcess {
        try ProcessLauncher.launchGated(LaunchSpec(
            argv: ["/bin/sh", "-c", script], environment: testEnvironment, workingDirectory: directory,
            stdoutPath: directory + "/stdout.log", stderrPath: directory + "/stderr.log"))
    }

    func testTheChildStartsOnlyWhenTheGateOpensAndKeepsItsIdentity() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let process = try launchGated("echo started > started; exec sleep 30", in: directory)
        defer { killAndReap(process) }
        usleep(300_000)
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory + "/started"), "it ran before the gate opened")
        LaunchGate.open([process.pid])
        XCTAssertTrue(eventually { FileManager.default.fileExists(atPath: directory + "/started") })
        XCTAssertTrue(eventually { commandName(of: process.pid) == "sleep" }, "the gate execs the program in its own pid")
        XCTAssertTrue(ProcessInspector.isSameProcess(pid: process.pid, startTime: process.startTime))
        // Descriptor 3, the gate's pipe, is not left to the program.
        XCTAssertFalse(FileManager.default.fileExists(atPath: "/proc/\(process.pid)/fd/3"))
    }

    func testAChildWhoseGateIsGivenUpExitsWithoutRunning() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let process = try launchGated("echo started > started", in: directory)
        LaunchGate.discard([process.pid])
        XCTAssertTrue(eventually { ProcessInspector.reap(pid: process.pid) == .exited(1) })
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory + "/started"))
    }

    /// What the gate is for: the pipe's write end is only in bench, so a bench that dies before
    /// listing the child leaves nothing running. Here a helper process holds the gate and is killed.
    func testAChildOutlivesNoHolderThatDiedBeforeOpeningIt() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var ends: [Int32] = [-1, -1]
        XCTAssertEqual(pipe(&ends), 0)
        let child = try ProcessLauncher.launch(LaunchSpec(
            argv: ["/bin/sh", "-c", "exec 3<&0; " + LaunchGate.script, "gate", "/bin/sh", "-c", "echo started > started"],
            environment: testEnvironment, workingDirectory: directory,
            stdoutPath: directory + "/stdout.log", stderrPath: directory + "/stderr.log"))
        // launch gives the child /dev/null on stdin: end-of-file at once, as when the holder is gone.
        close(ends[0])
        close(ends[1])
        XCTAssertTrue(eventually { ProcessInspector.reap(pid: child.pid) == .exited(1) })
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory + "/started"))
    }
}
