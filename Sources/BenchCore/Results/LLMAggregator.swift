/// Accumulates one event loop's LLM answers into HDR histograms (TTFT, TPOT, ITL, E2EL) and counters, with goodput
/// decided per request against the run's SLOs; memory stays flat however many requests.
///
/// Only successful, measured (not warm-up) requests are recorded: failures are counted by the `RunAggregator`
/// beside it. Confined to one event loop like `RunAggregator`; merge loops with `LLMSnapshot.merge`.
public final class LLMAggregator: @unchecked Sendable {
    // @unchecked Sendable: used only on the event loop that owns it; handed over before or after recording.
    private var ttft = LatencyRecorder(significantDigits: .three)
    private var tpot = LatencyRecorder(significantDigits: .three)
    private var itl = LatencyRecorder(significantDigits: .three)
    private var e2el = LatencyRecorder(significantDigits: .three)
    private var completed = 0
    private var good = 0
    private var inputTokens = 0
    private var outputTokens = 0
    private var outputFromUsage = 0
    private var contentChunks = 0

    public let warmupEnd: UInt64
    public let slo: SLOSpec

    public init(warmupEnd: UInt64, slo: SLOSpec) {
        self.warmupEnd = warmupEnd
        self.slo = slo
    }

    /// Records the LLM measurements of `result`, a request that succeeded; ignores warm-up and failed requests.
    /// Latencies count from `result.sent` (vLLM's `st`, taken just before the request is written).
    public func record(_ sample: LLMRequestSample, of result: RequestResult) {
        guard result.error == nil, result.scheduled >= warmupEnd, sample.firstContent != 0 else { return }
        let ttftNanos = sample.firstContent &- result.sent
        let e2elNanos = Swift.max(sample.lastChunk, sample.firstContent) &- result.sent
        ttft.record(LLMAggregator.micros(ttftNanos))
        e2el.record(LLMAggregator.micros(e2elNanos))
        var tpotNanos: UInt64 = 0
        if sample.outputTokens > 1 {
            tpotNanos = (e2elNanos - ttftNanos) / UInt64(sample.outputTokens - 1)
            tpot.record(LLMAggregator.micros(tpotNanos))
        }
        for gap in sample.interTokenGaps { itl.record(LLMAggregator.micros(gap)) }
        completed &+= 1
        inputTokens &+= sample.inputTokens
        outputTokens &+= sample.outputTokens
        if sample.outputFromUsage { outputFromUsage &+= 1 }
        contentChunks &+= sample.contentChunks
        // vLLM's goodput: every SLO given must be at least the measured value.
        if LLMAggregator.meets(slo.ttftMs, ttftNanos) && LLMAggregator.meets(slo.tpotMs, tpotNanos)
            && LLMAggregator.meets(slo.e2elMs, e2elNanos) {
            good &+= 1
        }
    }

    /// A copy of everything recorded so far.
    public func snapshot() -> LLMSnapshot {
        var s = LLMSnapshot(slo: slo)
        s.ttft = ttft.histogram()
        s.tpot = tpot.histogram()
        s.itl = itl.histogram()
        s.e2el = e2el.histogram()
        s.completed = completed
        s.good = good
        s.inputTokens = inputTokens
        s.outputTokens = outputTokens
        s.outputFromUsage = outputFromUsage
        s.contentChunks = contentChunks
        return s
    }

    @inline(__always)
    private static func meets(_ limitMs: Double?, _ nanos: UInt64) -> Bool {
        guard let limitMs else { return true }
        return Double(nanos) / 1e6 <= limitMs
    }

    /// Nanoseconds to whole microseconds (rounded), clamped to the histograms' range.
    @inline(__always)
    private static func micros(_ nanos: UInt64) -> UInt64 {
        Swift.min((nanos &+ 500) / 1000, LatencyHistograms.highest)
    }
}
