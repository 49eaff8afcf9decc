/// The sampler's memory: samples per series (name + labels), bounded in samples per series and
/// in the number of series, oldest dropped first.
public struct SampleStore: Sendable {
    public let maxSamplesPerSeries: Int
    public let maxSeries: Int
    private var series: [String: MetricSeries] = [:]
    /// Series refused because `maxSeries` was reached (shown in status so a cap is no mystery).
    public private(set) var droppedSeries = 0

    public init(maxSamplesPerSeries: Int = 7_200, maxSeries: Int = 20_000) {
        self.maxSamplesPerSeries = Swift.max(2, maxSamplesPerSeries)
        self.maxSeries = maxSeries
    }

    public var seriesCount: Int { series.count }

    /// Adds one sample of the series `labels` (with `__name__`).
    public mutating func append(labels: [String: String], sample: MetricSample) {
        let key = MetricSeries.labelText(labels)
        if series[key] == nil {
            guard series.count < maxSeries else { droppedSeries += 1; return }
            series[key] = MetricSeries(labels: labels, values: [])
        }
        series[key]!.values.append(sample)
        // Trim in chunks so appending stays amortised O(1).
        let count = series[key]!.values.count
        if count > maxSamplesPerSeries + maxSamplesPerSeries / 4 {
            series[key]!.values.removeFirst(count - maxSamplesPerSeries)
        }
    }

    /// The series called `name`, with their samples from `from` to `to` (inclusive).
    public func series(named name: String, from: Double, to: Double) -> [MetricSeries] {
        series.values.filter { $0.labels["__name__"] == name }.map { item in
            MetricSeries(labels: item.labels, values: item.values.filter { $0.time >= from && $0.time <= to })
        }.sorted { $0.labelText < $1.labelText }
    }

    /// The metric names held.
    public var names: Set<String> { Set(series.values.compactMap { $0.labels["__name__"] }) }
}
