import Histogram

/// The LLM measurements of one or more event loops (or nodes): histograms in microseconds, 3 significant digits,
/// in the layout every bench latency histogram shares, so `merge` is exact.
public struct LLMSnapshot: Sendable {
    /// Time to the first content chunk, of successful requests.
    public var ttft: Histogram<UInt64>
    /// (E2EL − TTFT) ÷ (output tokens − 1), of successful requests with more than one output token.
    public var tpot: Histogram<UInt64>
    /// Every gap between consecutive content chunks of successful requests, pooled.
    public var itl: Histogram<UInt64>
    /// Time to the last chunk, of successful requests.
    public var e2el: Histogram<UInt64>
    /// Successful requests (vLLM's `completed`).
    public var completed: Int
    /// Successful requests that met every SLO given.
    public var good: Int
    public var inputTokens: Int
    public var outputTokens: Int
    /// Successful requests whose output tokens came from the server's `usage` (the rest were counted as chunks).
    public var outputFromUsage: Int
    /// Content chunks of successful requests (equal to their output tokens where the server streams a token a chunk).
    public var contentChunks: Int
    /// The SLOs goodput was judged against.
    public var slo: SLOSpec

    /// An empty snapshot.
    public init(slo: SLOSpec = SLOSpec()) {
        ttft = LatencyHistograms.cumulative()
        tpot = LatencyHistograms.cumulative()
        itl = LatencyHistograms.cumulative()
        e2el = LatencyHistograms.cumulative()
        completed = 0
        good = 0
        inputTokens = 0
        outputTokens = 0
        outputFromUsage = 0
        contentChunks = 0
        self.slo = slo
    }

    /// Adds another loop's (or node's) measurements: exact. The SLOs of a run are the same everywhere.
    public mutating func merge(_ other: LLMSnapshot) {
        LatencyHistograms.merge(other.ttft, into: &ttft)
        LatencyHistograms.merge(other.tpot, into: &tpot)
        LatencyHistograms.merge(other.itl, into: &itl)
        LatencyHistograms.merge(other.e2el, into: &e2el)
        completed += other.completed
        good += other.good
        inputTokens += other.inputTokens
        outputTokens += other.outputTokens
        outputFromUsage += other.outputFromUsage
        contentChunks += other.contentChunks
    }

    /// Merges several snapshots; nil when there are none.
    public static func merged(_ snapshots: [LLMSnapshot]) -> LLMSnapshot? {
        guard var merged = snapshots.first else { return nil }
        for other in snapshots.dropFirst() { merged.merge(other) }
        return merged
    }

    /// Where output token counts came from: `usage` (every request), `chunks` (none had usage), `mixed`, or
    /// `none` when nothing succeeded.
    public var outputTokensSource: String {
        if completed == 0 { return "none" }
        if outputFromUsage == completed { return "usage" }
        return outputFromUsage == 0 ? "chunks" : "mixed"
    }
}
