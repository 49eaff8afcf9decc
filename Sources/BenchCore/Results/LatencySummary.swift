import Histogram

/// Mean, percentiles and maximum of one latency histogram, in milliseconds.
///
/// Percentiles are nearest-rank as the HDR histogram reports them (3 significant digits): the value at or below
/// which `p`% of the recorded values lie, reported as the highest value equivalent to it (clamped to the maximum).
public struct LatencySummary: Sendable, Codable, Equatable {
    public var mean: Double
    public var p50: Double
    public var p90: Double
    public var p95: Double
    public var p99: Double
    public var p999: Double
    public var max: Double
    /// How many values the summary is over.
    public var count: Int

    enum CodingKeys: String, CodingKey {
        case count
        case mean = "mean_ms"
        case p50 = "p50_ms"
        case p90 = "p90_ms"
        case p95 = "p95_ms"
        case p99 = "p99_ms"
        case p999 = "p99_9_ms"
        case max = "max_ms"
    }

    public init(mean: Double, p50: Double, p90: Double, p95: Double, p99: Double, p999: Double, max: Double, count: Int) {
        self.mean = mean
        self.p50 = p50
        self.p90 = p90
        self.p95 = p95
        self.p99 = p99
        self.p999 = p999
        self.max = max
        self.count = count
    }

    /// The summary of a microsecond histogram; all zeros when it is empty.
    public init(histogram h: Histogram<UInt64>) {
        guard h.totalCount > 0 else {
            self.init(mean: 0, p50: 0, p90: 0, p95: 0, p99: 0, p999: 0, max: 0, count: 0)
            return
        }
        func ms(_ p: Double) -> Double { LatencyHistograms.millis(h.valueAtPercentile(p)) }
        // The mean to 0.01 µs: finer digits are float noise, not measurement.
        self.init(mean: (h.mean * 100).rounded() / 100_000, p50: ms(50), p90: ms(90), p95: ms(95), p99: ms(99), p999: ms(99.9),
                  max: LatencyHistograms.millis(h.maxRecorded), count: Int(h.totalCount))
    }

    /// An empty summary.
    public static let zero = LatencySummary(mean: 0, p50: 0, p90: 0, p95: 0, p99: 0, p999: 0, max: 0, count: 0)
}
