import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Resolves the target once per run, before any connection opens.
enum TargetAddress {
    /// An IPv4 address where the name has one: services started here listen on 127.0.0.1, and
    /// `localhost` often resolves to ::1 first. IPv6 otherwise.
    static func resolve(host: String, port: Int) throws -> SocketAddress {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            throw LoadEngineError.unresolvableHost(host, reason: String(cString: gai_strerror(status)))
        }
        defer { freeaddrinfo(first) }
        var ipv6: SocketAddress?
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let info = entry {
            if let address = info.pointee.ai_addr {
                switch info.pointee.ai_family {
                case AF_INET:
                    let ipv4 = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee }
                    return SocketAddress(ipv4, host: host)
                case AF_INET6 where ipv6 == nil:
                    ipv6 = SocketAddress(address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee },
                                         host: host)
                default:
                    break
                }
            }
            entry = info.pointee.ai_next
        }
        guard let ipv6 else { throw LoadEngineError.unresolvableHost(host, reason: "no IPv4 or IPv6 address") }
        return ipv6
    }
}
