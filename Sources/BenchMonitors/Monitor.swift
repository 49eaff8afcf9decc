import BenchCore

/// Watches servers while clients run: a real Prometheus, or the built-in sampler where none is installed.
public protocol Monitor: Sendable {
    /// A short name shown in status (`prometheus`, `sampler`).
    var name: String { get }
}
