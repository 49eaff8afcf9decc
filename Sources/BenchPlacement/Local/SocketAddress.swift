import BenchCore
import Glibc

/// An IPv4 or IPv6 socket address, resolved from a host name or literal.
public struct SocketAddress: Sendable {
    public var storage: sockaddr_storage
    public var length: socklen_t

    public var family: Int32 { Int32(storage.ss_family) }

    /// "127.0.0.1:6379" or "[::1]:6379", for messages.
    public static func display(host: String, port: Int) -> String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    /// The addresses `host:port` stands for, IPv4 first (servers in recipes listen on IPv4
    /// addresses far more often than on IPv6 ones, and `localhost` may list `::1` first).
    ///
    /// - Parameter passive: for `bind`: an empty host means every address.
    public static func resolve(host: String, port: Int, passive: Bool = false) throws -> [SocketAddress] {
        guard (0...65535).contains(port) else { throw BenchError("port \(port) is out of range (0-65535)") }
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_NUMERICSERV | (passive ? AI_PASSIVE : 0)
        var list: UnsafeMutablePointer<addrinfo>?
        let result = getaddrinfo(host.isEmpty ? nil : host, String(port), &hints, &list)
        guard result == 0, let first = list else {
            throw BenchError("cannot resolve host '\(host)': \(String(cString: gai_strerror(result)))")
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
        addresses.sort { ($0.family == AF_INET ? 0 : 1) < ($1.family == AF_INET ? 0 : 1) }
        return addresses
    }

    /// The host to connect to for a server bound to `host`: a wildcard address is not a
    /// destination, so "0.0.0.0" means loopback (and "::" means "::1").
    public static func connectableHost(_ host: String) -> String {
        switch host {
        case "", "0.0.0.0": return "127.0.0.1"
        case "::", "[::]": return "::1"
        default: return host
        }
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
