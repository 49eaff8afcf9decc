import Histogram

/// What completed in one second of a run on one aggregator: counts and small latency histograms.
///
/// A second's results are either all warm-up or all measured (`warmup`), so summing the measured slices of a
/// run gives exactly its totals; the second in which warm-up ends can therefore have one slice of each.
public struct SecondSlice: Sendable {
    /// Whole seconds since the run's start (warm-up included), by completion time.
    public var second: Int
    /// Answers received (successes and unexpected statuses), as `AggregateSnapshot.completed` counts them.
    public var completed: Int
    /// Failed requests of every kind, unexpected statuses included.
    public var errors: Int
    public var bytes: Int
    /// Response time (from the scheduled send) of the answers, µs, 2 significant digits.
    public var response: Histogram<UInt64>
    /// Service time (from the actual send) of the answers, µs, 2 significant digits.
    public var service: Histogram<UInt64>
    /// The slice counts warm-up requests (scheduled before the warm-up ended), which no statistic includes.
    public var warmup: Bool

    public init(second: Int, warmup: Bool) {
        self.second = second
        self.warmup = warmup
        completed = 0
        errors = 0
        bytes = 0
        response = LatencyHistograms.perSecond()
        service = LatencyHistograms.perSecond()
    }

    /// Adds another aggregator's slice of the same second (and the same warm-up flag) into this one.
    public mutating func merge(_ other: SecondSlice) {
        completed += other.completed
        errors += other.errors
        bytes += other.bytes
        LatencyHistograms.merge(other.response, into: &response)
        LatencyHistograms.merge(other.service, into: &service)
    }
}
