import BenchCore
@testable import BenchPlacement
import Foundation
import ProcessTestSupport
import Glibc
import XCTest

final class PortAllocatorTests: XCTestCase {
    func testFreePortsAreDistinctAndUsable() throws {
        let ports = try PortAllocator.freePorts(count: 20, host: "127.0.0.1")
        XCTAssertEqual(ports.count, 20)
        XCTAssertEqual(Set(ports).count, 20)
        var listeners: [TestListener] = []
        defer { listeners.forEach { $0.close() } }
        for port in ports {
            XCTAssertFalse(PortAllocator.isInUse(host: "127.0.0.1", port: port))
            listeners.append(try TestListener(port: port))
        }
        XCTAssertEqual(listeners.map(\.port), ports)
    }

    func testFreePortSkipsExcludedPorts() throws {
        let first = try PortAllocator.freePort(host: "127.0.0.1")
        let second = try PortAllocator.freePort(host: "127.0.0.1", excluding: [first])
        XCTAssertNotEqual(first, second)
        XCTAssertTrue((1024...65535).contains(second))
        XCTAssertNotEqual(try PortAllocator.freePort(host: "0.0.0.0"), 0)
        XCTAssertEqual(try PortAllocator.freePorts(count: 0), [])
    }

    func testIsInUseForAListeningSocket() throws {
        let listener = try TestListener()
        XCTAssertTrue(PortAllocator.isInUse(host: "127.0.0.1", port: listener.port))
        XCTAssertTrue(PortAllocator.isInUse(host: "0.0.0.0", port: listener.port), "the wildcard overlaps")
        XCTAssertThrowsError(try PortAllocator.checkAvailable(host: "127.0.0.1", port: listener.port)) { error in
            XCTAssertEqual((error as? BenchError)?.message, "port \(listener.port) on 127.0.0.1 is already in use")
        }
        listener.close()
        XCTAssertFalse(PortAllocator.isInUse(host: "127.0.0.1", port: listener.port))
        XCTAssertNoThrow(try PortAllocator.checkAvailable(host: "127.0.0.1", port: listener.port))
    }

    func testBadHostIsAnError() {
        XCTAssertThrowsError(try PortAllocator.freePort(host: "no-such-host.invalid"))
        XCTAssertFalse(PortAllocator.isInUse(host: "no-such-host.invalid", port: 80))
    }
}
