import BenchCore

/// Produces load against an endpoint as a stream of plain per-request results.
///
/// Aggregation and rendering only consume that stream; generators know nothing of either.
public protocol LoadGenerator: Sendable {
    /// The client kind this generator implements (`http`, `redis`, `openai`, …).
    var kind: String { get }
}
