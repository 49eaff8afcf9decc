import BenchCore
@testable import BenchPlacement
import Foundation
import ProcessTestSupport
import Glibc
import XCTest

final class ProcessInspectorTests: XCTestCase {
    func testParsesACommandWithSpacesAndParentheses() throws {
        let line = "4242 (my) (weird proc)) S 1 4240 4240 0 -1 4194560 120 0 0 0 37 12 0 0 20 0 3 0 "
            + "987654 123456789 2048 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 3 0 0 0 0 0\n"
        let stat = try XCTUnwrap(ProcessStat(parsing: line))
        XCTAssertEqual(stat.pid, 4242)
        XCTAssertEqual(stat.command, "my) (weird proc)")
        XCTAssertEqual(stat.state, "S")
        XCTAssertEqual(stat.parentPID, 1)
        XCTAssertEqual(stat.processGroup, 4240)
        XCTAssertEqual(stat.userTicks, 37)
        XCTAssertEqual(stat.systemTicks, 12)
        XCTAssertEqual(stat.startTime, 987654)
        XCTAssertEqual(stat.residentPages, 2048)
        XCTAssertFalse(stat.isZombie)
        XCTAssertTrue(ProcessStat(parsing: line.replacingOccurrences(of: ")) S ", with: ")) Z "))!.isZombie)
    }

    func testRejectsMalformedLines() {
        XCTAssertNil(ProcessStat(parsing: ""))
        XCTAssertNil(ProcessStat(parsing: "12 (x S 1 2"))
        XCTAssertNil(ProcessStat(parsing: "12 (x) S 1 2 3"))
    }

    func testReadsItsOwnProcess() throws {
        let stat = try XCTUnwrap(ProcessInspector.stat(of: getpid()))
        XCTAssertEqual(stat.pid, getpid())
        XCTAssertEqual(stat.processGroup, getpgid(0))
        XCTAssertNil(ProcessInspector.stat(of: 0))
        XCTAssertNil(ProcessInspector.startTime(of: Int32.max))
    }

    func testReapReportsExitCodeAndSignal() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let exiting = try launchShell("exit 3", in: directory)
        var status: ExitStatus?
        XCTAssertTrue(eventually { status = ProcessInspector.reap(pid: exiting.pid); return status != nil })
        XCTAssertEqual(status, .exited(3))
        XCTAssertEqual(status?.description, "exited(3)")
        XCTAssertNil(ProcessInspector.reap(pid: exiting.pid), "already reaped: ECHILD gives nil")

        let sleeping = try launchShell("exec sleep 30", in: directory)
        XCTAssertNil(ProcessInspector.reap(pid: sleeping.pid), "still running")
        XCTAssertTrue(ProcessInspector.isSameProcess(pid: sleeping.pid, startTime: sleeping.startTime))
        kill(sleeping.pid, SIGKILL)
        status = nil
        XCTAssertTrue(eventually { status = ProcessInspector.reap(pid: sleeping.pid); return status != nil })
        XCTAssertEqual(status, .signaled(SIGKILL))
        XCTAssertEqual(status?.description, "killed(SIGKILL)")
        XCTAssertFalse(ProcessInspector.isSameProcess(pid: sleeping.pid, startTime: sleeping.startTime))
    }

    func testReapOfAProcessThatIsNotOurChildIsNil() {
        XCTAssertNil(ProcessInspector.reap(pid: 1))
        XCTAssertNil(ProcessInspector.reap(pid: 0))
    }

    func testZombiesAreNotMembersOrTheSameProcess() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let process = try launchShell("exit 0", in: directory)
        defer { _ = ProcessInspector.reap(pid: process.pid) }
        // Not reaped yet: a zombie, still in /proc.
        XCTAssertTrue(eventually { ProcessInspector.stat(of: process.pid)?.isZombie == true })
        XCTAssertEqual(ProcessInspector.members(ofGroup: process.processGroup), [])
        XCTAssertFalse(ProcessInspector.isSameProcess(pid: process.pid, startTime: process.startTime))
        XCTAssertEqual(ProcessInspector.usage(ofGroup: process.processGroup), ResourceUsage())
    }

    func testMembersAndUsageOfAGroup() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let process = try launchShell("sleep 30 & sleep 30 & wait", in: directory)
        defer { killAndReap(process) }
        XCTAssertTrue(eventually { ProcessInspector.members(ofGroup: process.processGroup).count == 3 })
        XCTAssertTrue(ProcessInspector.members(ofGroup: process.processGroup).contains(process.pid))
        let usage = ProcessInspector.usage(ofGroup: process.processGroup)
        XCTAssertEqual(usage.processCount, 3)
        XCTAssertGreaterThan(usage.rssBytes, 0)
        XCTAssertGreaterThanOrEqual(usage.cpuSeconds, 0)
    }

    func testExitStatusCoding() throws {
        for status in [ExitStatus.exited(1), .signaled(SIGTERM)] {
            XCTAssertEqual(try JSONDecoder().decode(ExitStatus.self, from: JSONEncoder().encode(status)), status)
        }
        XCTAssertEqual(String(decoding: try JSONEncoder().encode(ExitStatus.exited(2)), as: UTF8.self), #"{"exited":2}"#)
        XCTAssertEqual(ExitStatus.signaled(15).description, "killed(SIGTERM)")
        XCTAssertEqual(ExitStatus.signaled(40).description, "killed(signal 40)")
        XCTAssertEqual(ExitStatus(waitStatus: 0x0300), .exited(3))
        XCTAssertEqual(ExitStatus(waitStatus: 0x0009), .signaled(9))
        XCTAssertEqual(ExitStatus(waitStatus: 0x0089), .signaled(9), "a core dump flag does not change the signal")
        XCTAssertNil(ExitStatus(waitStatus: 0x137f), "stopped is not an ending")
    }
}
