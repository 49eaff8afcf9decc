import BenchCore

/// What a finished (or stopped) run measured.
public struct LoadOutcome: Sendable {
    /// Cumulative statistics, merged over event loops.
    public var snapshot: AggregateSnapshot
    /// Per-second slices not yet handed to `progress`.
    public var remainingSeconds: [SecondSlice]
    /// Stopped early by `stop()`.
    public var interrupted: Bool
    /// Successful connects, reconnects included.
    public var connectionsOpened: Int
    /// The connections the run held at most (an open loop's pool grows while answers are slow, up to its cap).
    public var connectionsPeak: Int = 0
    /// Connections reopened after the server closed them (keep-alive limits, `Connection: close`, faults).
    public var reconnects: Int
    /// Nanoseconds since the run's start at which measuring began.
    public var warmupEnd: UInt64
    /// Nanoseconds since the run's start at which measuring ended: the end of the duration, the
    /// last answer of a request-count run, or the moment of `stop()`. Answers to requests sent before
    /// it may complete a little later; they count.
    public var endedAt: UInt64
    /// Open loop: measured requests sent, and those of them sent later than `lagBound`.
    public var sent: Int
    public var lateSends: Int
    public var maxSenderLag: UInt64
    /// The sender lag above which a send counts as late: 1 ms or 1% of the mean gap, whichever is larger.
    public var lagBound: UInt64
    /// Set when the client, not the server, was the bottleneck (more than 1% of sends late).
    public var senderLagNote: String?

    /// LLM timings, tokens and goodput, merged over event loops (openai runs; nil otherwise).
    public var llm: LLMSnapshot?

    /// A cache's hits, misses and stores, summed over event loops (memcached runs; nil otherwise).
    public var cacheReplies: CacheReplyCounts?

    /// Recall of scored answers, merged over event loops (chroma queries; nil otherwise).
    public var recall: RecallSnapshot?

    /// Figures particular to the client kind, for the result's `kind_metrics` (a chroma run's phases and dataset).
    public var kindMetrics: [String: JSONValue] = [:]

    /// Why a run that went to its end still did not do all it was asked (a chroma load that lost batches).
    public var statusNote: String?

    /// Measured seconds.
    public var measuredDuration: Double { Double(endedAt &- min(endedAt, warmupEnd)) / 1e9 }
}
