/// Accumulates one event loop's (or one thread's) request results into histograms, counters and per-second slices.
///
/// Recording costs a few histogram increments and counter bumps, without locks or allocation (one allocation per
/// new second, for its slice). Results scheduled before `warmupEnd` are counted in `warmupRequests` and in warm-up
/// slices, and excluded from every statistic. Use one aggregator per event loop and merge their snapshots and
/// slices with a `RunCollector`.
public final class RunAggregator: @unchecked Sendable {
    // @unchecked Sendable: an aggregator is confined to the one event loop (or thread) that records into it; it is
    // handed between threads only before recording starts or after it ends (and snapshots are taken on that loop).
    // It takes no locks by design: the hot path must cost nanoseconds. The state sits behind a pointer rather than
    // in a stored property so that each record skips the runtime's dynamic exclusivity check on class properties
    // (~10 ns, 15% of a record in release); confinement to one loop is what makes that safe.
    private let state: UnsafeMutablePointer<AggregatorState>

    /// - Parameters:
    ///   - warmupEnd: ns since the run's start; results with `scheduled < warmupEnd` are warm-up.
    ///   - expectedInterval: the schedule's gap between sends in ns (1e9 / rate) in open loop; nil in closed loop.
    public init(warmupEnd: UInt64, expectedInterval: UInt64? = nil) {
        state = .allocate(capacity: 1)
        state.initialize(to: AggregatorState(warmupEnd: warmupEnd, expectedInterval: expectedInterval))
    }

    deinit {
        state.deinitialize(count: 1)
        state.deallocate()
    }

    public var warmupEnd: UInt64 { state.pointee.warmupEnd }
    public var expectedInterval: UInt64? { state.pointee.expectedInterval }

    /// Records one finished request (hot path).
    public func record(_ result: RequestResult) {
        state.pointee.record(result)
    }

    /// Adds the LLM tokens of the request just passed to `record(_:)`; ignored when that request was warm-up.
    public func recordTokens(input: Int, output: Int) {
        state.pointee.recordTokens(input: input, output: output)
    }

    /// Removes and returns the per-second slices of every whole second before `second` (by completion time, seconds
    /// since the run's start), warm-up and measured ones, ordered by second. Call it once a second with the current
    /// second, and with `Int.max` at the end; what it returns is no longer held here, so memory stays flat.
    public func takeSeconds(upTo second: Int) -> [SecondSlice] {
        state.pointee.takeSeconds(upTo: second)
    }

    /// How many per-second slices are held (not yet taken).
    public var pendingSliceCount: Int { state.pointee.pendingSlices }

    /// A copy of the cumulative measured state, for live progress and for the end of the run.
    public func snapshot() -> AggregateSnapshot {
        state.pointee.snapshot()
    }
}
