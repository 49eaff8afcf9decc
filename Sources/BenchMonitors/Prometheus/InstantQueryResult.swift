/// What an instant query returns, by Prometheus' `resultType`.
public enum InstantQueryResult: Sendable, Equatable {
    /// One sample per series.
    case vector([VectorSample])
    case scalar(MetricSample)
    case string(String, time: Double)
    /// A range-vector selector (`up[1m]`) evaluated instantly.
    case matrix([MetricSeries])

    /// A uniform view for printing tables: vector samples as one-sample series, a matrix as is,
    /// a scalar as one unlabelled series, a string as none.
    public var series: [MetricSeries] {
        switch self {
        case .vector(let samples): return samples.map { MetricSeries(labels: $0.labels, values: [$0.sample]) }
        case .scalar(let sample): return [MetricSeries(labels: [:], values: [sample])]
        case .string: return []
        case .matrix(let series): return series
        }
    }
}

/// One element of an instant vector.
public struct VectorSample: Sendable, Equatable {
    public let labels: [String: String]
    public let sample: MetricSample

    public init(labels: [String: String], sample: MetricSample) {
        self.labels = labels
        self.sample = sample
    }
}
