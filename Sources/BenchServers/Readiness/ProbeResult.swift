/// The answer of one readiness probe.
public enum ProbeResult: Sendable, Equatable {
    case ready
    /// Not ready yet, with why, worded for a user ("connection refused on 127.0.0.1:6379").
    case notReady(String)

    public var isReady: Bool { self == .ready }

    /// The reason when not ready; nil when ready.
    public var reason: String? {
        if case .notReady(let reason) = self { return reason }
        return nil
    }
}
