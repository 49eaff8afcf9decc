import BenchNetwork
import NIOCore

extension LoadEngineError {
    /// The address a run connects to: the first `AddressResolver` gives (IPv4 where the name
    /// has one), or `unresolvableHost` with the resolver's reason.
    static func resolveTarget(host: String, port: Int) throws -> SocketAddress {
        do {
            // The resolver returns at least one address or throws.
            return try AddressResolver.resolve(host: host, port: port)[0]
        } catch {
            if case .unresolvable(_, let reason) = error { throw LoadEngineError.unresolvableHost(host, reason: reason) }
            throw LoadEngineError.unresolvableHost(host, reason: "\(error)")
        }
    }
}
