/// Named queries reduced over a window: the `monitor` section of a run's result.
public struct MonitorSummary: Sendable, Equatable, Codable {
    public var window: TimeWindow
    public var queries: [String: QuerySummary]

    public init(window: TimeWindow, queries: [String: QuerySummary]) {
        self.window = window
        self.queries = queries
    }

    /// For each query, `["mean": …, "max": …, "last": …]` of the series that belong to `target`
    /// (its `handle` label, or `instance` equal to its address), or of the only series when the
    /// query keeps neither label (host-wide values like CPU busy). Queries without such a series
    /// are left out.
    public func values(for target: MonitorTarget? = nil) -> [String: [String: Double]] {
        var out: [String: [String: Double]] = [:]
        for (name, query) in queries {
            if let series = query.series(for: target) { out[name] = series.stats }
        }
        return out
    }
}

/// One query's reduction: a summary per series, or the error that query got.
public struct QuerySummary: Sendable, Equatable, Codable {
    public var promql: String
    public var series: [SeriesSummary]
    public var error: String?

    public init(promql: String, series: [SeriesSummary], error: String? = nil) {
        self.promql = promql
        self.series = series
        self.error = error
    }

    /// The series of `target` (see `MonitorSummary.values(for:)`).
    public func series(for target: MonitorTarget?) -> SeriesSummary? {
        if let target {
            if let match = series.first(where: { summary in
                summary.labels["handle"] == target.name
                    || (target.address != nil && summary.labels["instance"] == target.address)
            }) { return match }
            let unlabelled = series.filter { $0.labels["handle"] == nil && $0.labels["instance"] == nil }
            return unlabelled.count == 1 && series.count == 1 ? unlabelled[0] : nil
        }
        return series.count == 1 ? series[0] : nil
    }
}

/// Mean, maximum and last value of one series over a window (non-finite samples skipped).
public struct SeriesSummary: Sendable, Equatable, Codable {
    public var labels: [String: String]
    public var mean: Double
    public var max: Double
    public var last: Double
    /// How many finite samples went in.
    public var count: Int

    public init(labels: [String: String], mean: Double, max: Double, last: Double, count: Int) {
        self.labels = labels
        self.mean = mean
        self.max = max
        self.last = last
        self.count = count
    }

    /// nil when the series has no finite sample.
    public init?(_ series: MetricSeries) {
        let finite = series.values.map(\.value).filter(\.isFinite)
        guard let last = finite.last, let max = finite.max() else { return nil }
        self.init(labels: series.labels, mean: finite.reduce(0, +) / Double(finite.count), max: max,
                  last: last, count: finite.count)
    }

    public var stats: [String: Double] { ["mean": mean, "max": max, "last": last] }
}
