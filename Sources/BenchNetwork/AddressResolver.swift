import BenchCore
import BenchPlacement
import NIOCore

#if canImport(Glibc)
import Glibc
#endif

/// Turns a host and port into the addresses bench connects to, IPv4 first.
///
/// Every outgoing connection (load runs, probes, monitors, model discovery) resolves here, and
/// this asks `BenchPlacement.SocketAddress.lookup`, the one `getaddrinfo` call, which
/// `PortAllocator` shares for binding (BenchPlacement must not depend on NIO).
public enum AddressResolver {
    /// The addresses of `host:port`, IPv4 first: services started here listen on 127.0.0.1
    /// far more often than on ::1, and `localhost` may list ::1 first.
    public static func resolve(host: String, port: Int) throws(NetworkError) -> [NIOCore.SocketAddress] {
        guard (0...65535).contains(port) else { throw .invalidPort(port) }
        switch BenchPlacement.SocketAddress.lookup(host: host, port: port) {
        case .failure(let failure):
            throw .unresolvable(host: host, reason: failure.reason)
        case .success(let addresses):
            let connectable = addresses.compactMap { nioAddress($0, host: host) }
            guard !connectable.isEmpty else { throw .unresolvable(host: host, reason: "no IPv4 or IPv6 address") }
            return connectable
        }
    }

    /// "127.0.0.1:6379" or "[::1]:6379", for messages and `Host` headers.
    public static func display(host: String, port: Int) -> String {
        Endpoint.address(host: host, port: port)
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

    /// NIO's form of a resolved address; nil for families other than IPv4 and IPv6.
    static func nioAddress(_ address: BenchPlacement.SocketAddress, host: String) -> NIOCore.SocketAddress? {
        let storage = address.storage
        return withUnsafeBytes(of: storage) { raw -> NIOCore.SocketAddress? in
            switch address.family {
            case AF_INET: return NIOCore.SocketAddress(raw.loadUnaligned(as: sockaddr_in.self), host: host)
            case AF_INET6: return NIOCore.SocketAddress(raw.loadUnaligned(as: sockaddr_in6.self), host: host)
            default: return nil
            }
        }
    }
}
