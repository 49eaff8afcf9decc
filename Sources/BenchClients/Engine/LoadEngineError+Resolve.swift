import BenchNetwork
import NIOCore

extension LoadEngineError {
    /// The address a run connects to: the first `AddressResolver` gives (IPv4 where the name
    /// has one), or `unresolvableHost` with the resolver's reason.
    static func resolveTarget(host: String, port: Int) throws -> SocketAddress {
        let addresses: [SocketAddress]
        do {
            addresses = try AddressResolver.resolve(host: host, port: port)
        } catch {
            if case .unresolvable(_, let reason) = error { throw LoadEngineError.unresolvableHost(host, reason: reason) }
            throw LoadEngineError.unresolvableHost(host, reason: "\(error)")
        }
        guard let first = addresses.first else {
            throw LoadEngineError.unresolvableHost(host, reason: "no IPv4 or IPv6 address")
        }
        return first
    }
}
