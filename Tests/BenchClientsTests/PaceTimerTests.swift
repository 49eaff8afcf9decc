@testable import BenchClients
import NIOCore
import NIOPosix
import Synchronization
import XCTest

/// The open loop's own timer: on Linux it must really be in use (NIO refuses some descriptor types,
/// and a silent fallback to NIO's timers would bring back their wake-up cost inside service times).
final class PaceTimerTests: XCTestCase {
    func testFiresAtItsDeadlineAndNotBefore() throws {
        #if os(Linux)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let loop = group.next()
        let firedAt = Mutex<[UInt64]>([])
        let lost = Mutex(false)
        let timer = try loop.flatSubmit {
            PaceTimer.start(on: loop,
                            fire: { firedAt.withLock { $0.append(NIODeadline.now().uptimeNanoseconds) } },
                            lost: { lost.withLock { $0 = true } })
        }.wait()
        let bound = try XCTUnwrap(timer, "no timer descriptor: the pacer would fall back to NIO's timers")
        let deadline = NIODeadline.now().uptimeNanoseconds + 20_000_000
        try loop.submit { bound.value.arm(at: deadline) }.wait()
        let waitUntil = Date().addingTimeInterval(5)
        while firedAt.withLock({ $0.isEmpty }) && Date() < waitUntil { usleep(2_000) }
        let times = firedAt.withLock { $0 }
        XCTAssertEqual(times.count, 1)
        XCTAssertGreaterThanOrEqual(times.first ?? 0, deadline, "a pace timer never fires early")
        // Re-arming replaces the earlier deadline: only the later one fires.
        let base = NIODeadline.now().uptimeNanoseconds
        try loop.submit {
            bound.value.arm(at: base + 10_000_000)
            bound.value.arm(at: base + 40_000_000)
        }.wait()
        usleep(100_000)
        XCTAssertEqual(firedAt.withLock { $0.count }, 2)
        XCTAssertGreaterThanOrEqual(firedAt.withLock { $0.last ?? 0 }, base + 40_000_000)
        try loop.submit { bound.value.close() }.wait()
        XCTAssertFalse(lost.withLock { $0 }, "closing on purpose is not a lost timer")
        #else
        throw XCTSkip("timer descriptors are Linux only; elsewhere the pacer uses NIO's timers")
        #endif
    }
}
