import BenchCore
import Glibc

/// An IPv4 or IPv6 socket address, resolved from a host name or literal.
public struct SocketAddress: Sendable {
    public var storage: sockaddr_storage
    public var length: socklen_t

    public var family: Int32 { Int32(storage.ss_family) }

    /// The addresses `host:port` stands for, IPv4 first (servers in recipes listen on IPv4
    /// addresses far more often than on IPv6 ones, and `localhost` may list `::1` first).
    ///
    /// - Parameter passive: for `bind`: an empty host means every address.
    public static func resolve(host: String, port: Int, passive: Bool = false) throws -> [SocketAddress] {
        guard (0...65535).contains(port) else { throw BenchError("port \(port) is out of range (0-65535)") }
        switch lookup(host: host, port: port, passive: passive) {
        case .success(let addresses): return addresses
        case .failure(let failure): throw BenchError("cannot resolve host '\(host)': \(failure.reason)")
        }
    }

    /// Why `lookup` found no address: the resolver's own text ("Name or service not known").
    public struct LookupFailure: Error, Sendable {
        public let reason: String
    }

    /// The addresses `host:port` stands for, IPv4 first, or the resolver's reason for none.
    ///
    /// The one `getaddrinfo` call in bench: BenchNetwork's `AddressResolver` (connecting) and
    /// `PortAllocator` (binding) both come here, so every part resolves names the same way.
    /// It lives in BenchPlacement because that target binds sockets and must not depend on NIO.
    /// The caller checks the port range and words the error for its own messages.
    public static func lookup(host: String, port: Int, passive: Bool = false) -> Result<[SocketAddress], LookupFailure> {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_NUMERICSERV | (passive ? AI_PASSIVE : 0)
        var list: UnsafeMutablePointer<addrinfo>?
        let result = getaddrinfo(host.isEmpty ? nil : host, String(port), &hints, &list)
        guard result == 0, let first = list else {
            return .failure(LookupFailure(reason: String(cString: gai_strerror(result))))
        }
        defer { freeaddrinfo(first) }
        var addresses: [SocketAddress] = []
        var current: UnsafeMutablePointer<addrinfo>? = first
        while let entry = current {
            if let address = entry.pointee.ai_addr {
                var storage = sockaddr_storage()
                let length = entry.pointee.ai_addrlen
                withUnsafeMutableBytes(of: &storage) { destination in
                    destination.copyMemory(from: UnsafeRawBufferPointer(start: address, count: Int(length)))
                }
                addresses.append(SocketAddress(storage: storage, length: length))
            }
            current = entry.pointee.ai_next
        }
        // Stable, so addresses of one family keep the resolver's order.
        addresses = addresses.filter { $0.family == AF_INET } + addresses.filter { $0.family != AF_INET }
        return .success(addresses)
    }

    /// The port of a bound socket (`getsockname`).
    public static func localPort(of fd: Int32) -> Int? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let result = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard result == 0 else { return nil }
        let family = Int32(storage.ss_family)
        return withUnsafePointer(to: &storage) { pointer -> Int in
            if family == AF_INET6 {
                return pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin6_port)) }
            }
            return pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin_port)) }
        }
    }

    /// Calls `body` with this address as a `sockaddr` pointer and its length.
    public func withSockaddr<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> R) -> R {
        var copy = storage
        return withUnsafePointer(to: &copy) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, length) }
        }
    }
}
