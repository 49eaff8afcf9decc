/// The series one named query returned over a window: an entry of an export.
public struct NamedQueryResult: Sendable, Equatable {
    public let name: String
    public let promql: String
    public let series: [MetricSeries]
    /// Why the query gave nothing (Prometheus' error text), when it failed; exports go on.
    public let error: String?

    public init(name: String, promql: String, series: [MetricSeries], error: String? = nil) {
        self.name = name
        self.promql = promql
        self.series = series
        self.error = error
    }
}
