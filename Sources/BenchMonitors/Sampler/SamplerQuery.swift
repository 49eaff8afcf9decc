import BenchCore

/// The queries the built-in sampler answers: a metric name (`redis_connected_clients`), or
/// `rate(NAME[Ns])` (also `ms`, `m`) for counters. No label matchers, no aggregation: it is not
/// PromQL, only enough for the same named summaries without Prometheus.
///
/// `rate` is the increase between the first and last sample inside the range (counter resets
/// counted as restarts from zero) divided by the time between them; unlike Prometheus it does
/// not extrapolate to the range's edges, and it needs two samples in the range.
public enum SamplerQuery: Sendable, Equatable {
    case raw(String)
    case rate(String, range: Double)

    /// Parses a query; a clear error for anything else.
    public init(parsing text: String) throws {
        let trimmed = text.trimming(" \t")
        if trimmed.hasPrefix("rate("), trimmed.hasSuffix(")") {
            let inner = trimmed.dropFirst(5).dropLast()
            guard let open = inner.firstIndex(of: "["), inner.last == "]" else { throw Self.unsupported(text) }
            let name = String(inner[..<open]).trimming(" ")
            let rangeText = String(inner[inner.index(after: open)..<inner.index(before: inner.endIndex)])
            guard Self.isMetricName(name), let range = BenchDuration(parsing: rangeText), range.seconds > 0 else {
                throw Self.unsupported(text)
            }
            self = .rate(name, range: range.seconds)
        } else if Self.isMetricName(trimmed) {
            self = .raw(trimmed)
        } else {
            throw Self.unsupported(text)
        }
    }

    public var metricName: String {
        switch self {
        case .raw(let name), .rate(let name, _): return name
        }
    }

    /// Evaluates the query over `[from, to]` against `store`.
    func evaluate(in store: SampleStore, from: Double, to: Double) -> [MetricSeries] {
        switch self {
        case .raw(let name):
            return store.series(named: name, from: from, to: to).filter { !$0.values.isEmpty }
        case .rate(let name, let range):
            return store.series(named: name, from: from - range, to: to).compactMap { series in
                var labels = series.labels
                labels["__name__"] = nil  // as in Prometheus, rate() drops the name
                let values = Self.rate(series.values, range: range).filter { $0.time >= from }
                return values.isEmpty ? nil : MetricSeries(labels: labels, values: values)
            }
        }
    }

    /// The rate at each sample that has an earlier sample within `range` before it.
    static func rate(_ samples: [MetricSample], range: Double) -> [MetricSample] {
        var out: [MetricSample] = []
        var first = 0
        for i in samples.indices {
            while samples[first].time < samples[i].time - range - 1e-9 { first += 1 }
            guard first < i else { continue }
            var increase = 0.0
            for k in (first + 1)...i {
                let delta = samples[k].value - samples[k - 1].value
                increase += delta >= 0 ? delta : samples[k].value  // a reset: the counter began again at 0
            }
            out.append(MetricSample(time: samples[i].time, value: increase / (samples[i].time - samples[first].time)))
        }
        return out
    }

    private static func isMetricName(_ text: String) -> Bool {
        guard let first = text.first, first.isLetter || first == "_" || first == ":" else { return false }
        return text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == ":") }
    }

    private static func unsupported(_ text: String) -> BenchError {
        BenchError("the built-in sampler answers only a metric name or rate(NAME[30s]), not '\(text)'")
    }
}
