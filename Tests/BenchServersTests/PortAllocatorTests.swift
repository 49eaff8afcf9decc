import BenchCore
@testable import BenchServers
import Foundation
import Glibc
import XCTest

/// A TCP socket listening on 127.0.0.1:`port` (0: any), closed by `close()`.
final class TestListener {
    let fd: Int32
    let port: Int

    init(port: Int = 0) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var on: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 16) == 0, let actual = SocketAddress.localPort(of: fd) else {
            Glibc.close(fd)
            throw BenchError("test listener: \(String(cString: strerror(errno)))")
        }
        self.fd = fd
        self.port = actual
    }

    func close() { Glibc.close(fd) }
}

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
