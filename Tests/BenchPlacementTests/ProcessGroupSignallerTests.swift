import BenchCore
@testable import BenchPlacement
import Foundation
import ProcessTestSupport
import Glibc
import XCTest

final class ProcessGroupSignallerTests: XCTestCase {
    func testTerminateStopsTheWholeGroupIncludingGrandchildren() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let process = try launchShell("sleep 30 & sleep 30; wait", in: directory)
        defer { killAndReap(process) }
        XCTAssertTrue(eventually { ProcessInspector.members(ofGroup: process.processGroup).count == 3 })

        let started = Date()
        let outcome = await ProcessGroupSignaller.terminate(group: process.processGroup, leader: process.pid, grace: .seconds(5))
        XCTAssertLessThan(Date().timeIntervalSince(started), 2, "SIGTERM suffices; no waiting for the grace")
        XCTAssertFalse(outcome.neededKill)
        XCTAssertEqual(outcome.leaderStatus, .signaled(SIGTERM))
        XCTAssertTrue(outcome.isGone)
        XCTAssertEqual(ProcessInspector.members(ofGroup: process.processGroup), [])
        XCTAssertNil(ProcessInspector.stat(of: process.pid), "the leader was reaped, not left a zombie")
    }

    func testAProcessIgnoringSIGTERMIsKilledAfterTheGrace() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // An ignored disposition survives exec, so sleep itself ignores SIGTERM.
        let process = try launchShell("trap '' TERM; exec sleep 30", in: directory)
        defer { killAndReap(process) }
        XCTAssertTrue(eventually { commandName(of: process.pid) == "sleep" })

        let started = Date()
        let outcome = await ProcessGroupSignaller.terminate(group: process.processGroup, leader: process.pid, grace: .milliseconds(400))
        let elapsed = Date().timeIntervalSince(started)
        XCTAssertGreaterThanOrEqual(elapsed, 0.4)
        XCTAssertLessThan(elapsed, 3)
        XCTAssertTrue(outcome.neededKill)
        XCTAssertEqual(outcome.leaderStatus, .signaled(SIGKILL))
        XCTAssertEqual(outcome.remaining, [])
        XCTAssertEqual(ProcessInspector.members(ofGroup: process.processGroup), [])
    }

    func testTerminateOfAGroupWeDidNotSpawn() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // The shell's background sleep is not our child and leads no group; its own group is
        // the shell's. Terminate by group without a leader, as `bench --cleanup` would.
        let process = try launchShell("sleep 30 & wait", in: directory)
        defer { killAndReap(process) }
        XCTAssertTrue(eventually { ProcessInspector.members(ofGroup: process.processGroup).count == 2 })
        let outcome = await ProcessGroupSignaller.terminate(group: process.processGroup, leader: nil, grace: .seconds(2))
        XCTAssertFalse(outcome.neededKill)
        XCTAssertNil(outcome.leaderStatus)
        XCTAssertTrue(outcome.isGone)
    }

    func testSignalRefusesDangerousGroupsAndReportsMissingOnes() {
        XCTAssertFalse(ProcessGroupSignaller.signal(group: 0, 0))
        XCTAssertFalse(ProcessGroupSignaller.signal(group: 1, 0))
        XCTAssertFalse(ProcessGroupSignaller.signal(group: -5, 0))
        XCTAssertFalse(ProcessGroupSignaller.signal(group: Int32.max - 1, SIGTERM))
        XCTAssertTrue(ProcessGroupSignaller.signal(group: getpgid(0), 0), "signal 0 only checks existence")
    }
}
