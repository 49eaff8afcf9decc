import Histogram

extension LLMSnapshot {
    /// The run's LLM metrics under vLLM `bench serve`'s names (see `MetricDefinitions`), for a result's `kind_metrics`.
    ///
    /// - Parameters:
    ///   - failed: requests that failed (every kind), measured ones only: the run's `AggregateSnapshot.errorCount`.
    ///   - duration: the measured seconds the throughputs divide by (`RunCollector.measuredDuration`).
    /// Latencies are in ms: `mean_`, `median_`, `std_`, `p90_`, `p99_` of `ttft`, `tpot`, `itl`, `e2el`;
    /// percentiles nearest-rank from the HDR histograms (3 significant digits). The histograms themselves go under
    /// `histograms` (`LLMHistograms`), so that `init?(kindMetrics:)` can rebuild this snapshot exactly.
    public func kindMetrics(failed: Int, duration: Double) -> [String: JSONValue] {
        func perSecond(_ count: Int) -> JSONValue { .number(duration > 0 ? Double(count) / duration : 0) }
        var m: [String: JSONValue] = [
            "completed": .number(Double(completed)),
            "failed": .number(Double(failed)),
            "duration": .number(duration),
            "total_input_tokens": .number(Double(inputTokens)),
            "total_output_tokens": .number(Double(outputTokens)),
            "request_throughput": perSecond(completed),
            "output_throughput": perSecond(outputTokens),
            "total_token_throughput": perSecond(inputTokens + outputTokens),
            "request_goodput": perSecond(good),
            "good_requests": .number(Double(good)),
            "output_tokens_source": .string(outputTokensSource),
            "output_tokens_from_usage": .number(Double(outputFromUsage)),
            "total_content_chunks": .number(Double(contentChunks)),
        ]
        // Encoding plain numbers cannot fail; were it to, the result would only lose its mergeability.
        m[LLMHistograms.key] = try? JSONValue(encoding: LLMHistograms(self))
        var slos: [String: JSONValue] = [:]
        if let v = slo.ttftMs { slos["ttft_ms"] = .number(v) }
        if let v = slo.tpotMs { slos["tpot_ms"] = .number(v) }
        if let v = slo.e2elMs { slos["e2el_ms"] = .number(v) }
        m["slo"] = .object(slos)
        for (name, histogram) in [("ttft", ttft), ("tpot", tpot), ("itl", itl), ("e2el", e2el)] {
            for (key, value) in LLMSnapshot.summary(histogram) { m["\(key)_\(name)_ms"] = .number(value) }
        }
        return m
    }

    /// The keys of `kindMetrics` that are rates over the measured duration.
    public static let rateKeys = ["request_throughput", "output_throughput", "total_token_throughput", "request_goodput"]

    /// The snapshot a result's LLM `kind_metrics` were written from: the serialized histograms rebuilt (same buckets,
    /// hence the same percentiles) and the counts and SLOs read back. nil when they carry no histograms (results
    /// written before they did, other client kinds) or a count is missing.
    public init?(kindMetrics m: [String: JSONValue]) {
        guard let histograms = try? m[LLMHistograms.key]?.decode(LLMHistograms.self) else { return nil }
        func count(_ key: String) -> Int? { m[key]?.number.flatMap { Int(exactly: $0) } }
        guard let completed = count("completed"), let good = count("good_requests"),
              let inputTokens = count("total_input_tokens"), let outputTokens = count("total_output_tokens"),
              let outputFromUsage = count("output_tokens_from_usage"), let contentChunks = count("total_content_chunks")
        else { return nil }
        var slo: [String: JSONValue] = [:]
        if case .object(let given)? = m["slo"] { slo = given }
        self.init(slo: SLOSpec(ttftMs: slo["ttft_ms"]?.number, tpotMs: slo["tpot_ms"]?.number, e2elMs: slo["e2el_ms"]?.number))
        ttft = histograms.ttft.histogram()
        tpot = histograms.tpot.histogram()
        itl = histograms.itl.histogram()
        e2el = histograms.e2el.histogram()
        self.completed = completed
        self.good = good
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.outputFromUsage = outputFromUsage
        self.contentChunks = contentChunks
    }

    /// mean, median, std, p90, p99 of a microsecond histogram, in ms; zeros when it is empty.
    static func summary(_ h: Histogram<UInt64>) -> [(String, Double)] {
        guard h.totalCount > 0 else { return [("mean", 0), ("median", 0), ("std", 0), ("p90", 0), ("p99", 0)] }
        func ms(_ p: Double) -> Double { LatencyHistograms.millis(h.valueAtPercentile(p)) }
        // Mean and std to 0.01 µs: finer digits are float noise, not measurement.
        return [("mean", (h.mean * 100).rounded() / 100_000), ("median", ms(50)),
                ("std", (h.stdDeviation * 100).rounded() / 100_000), ("p90", ms(90)), ("p99", ms(99))]
    }
}
