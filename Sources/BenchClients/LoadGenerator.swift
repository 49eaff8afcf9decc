import BenchCore

/// Produces load against an endpoint and measures every request.
///
/// Each request becomes a plain `RequestResult` value as it completes, recorded at once into its
/// event loop's `RunAggregator` (histograms, per-second slices) rather than queued as a stream: a
/// queue would cost the hot path an allocation and a hand-off per request. Aggregation and
/// rendering only read those values and know nothing of the generator.
public protocol LoadGenerator: Sendable {
    /// The client kind this generator implements (`http`, `redis`, `openai`, …).
    var kind: String { get }
    /// Runs to the end (duration or request count) or until `stop()`, reporting about once a second.
    func run(progress: @escaping @Sendable (AggregateSnapshot, [SecondSlice], _ elapsedSeconds: Double) -> Void) async throws -> LoadOutcome
    /// Ends the run early, keeping what was measured; safe from any thread. What is in flight is
    /// dropped (nil: Ctrl-C) or counted as failed with `kind` (the target died).
    func stop(failingInFlight kind: RequestErrorKind?)
}

extension LoadGenerator {
    /// Ends the run early, dropping what is in flight (Ctrl-C, `client stop`).
    public func stop() { stop(failingInFlight: nil) }
}
