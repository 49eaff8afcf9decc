/// One second of a run's time series: what completed in it.
public struct TimeSeriesPoint: Sendable, Codable, Equatable {
    /// Whole seconds since the run's start (warm-up included), by completion time.
    public var second: Int
    /// Answers received in this second.
    public var requests: Int
    /// Answers per second over the part of this second the run covered (`requests / duration`).
    public var throughput: Double
    /// Seconds of this second the run covered: 1, except where the warm-up ends or the run ends (the
    /// drain of answers after the last send) part-way through it.
    public var duration: Double
    public var errors: Int
    public var bytes: Int
    /// Response time (from the scheduled send) percentiles of this second, ms, 2 significant digits.
    public var p50: Double
    public var p90: Double
    public var p99: Double
    public var max: Double
    /// The point counts warm-up requests only, which no statistic includes.
    public var warmup: Bool

    enum CodingKeys: String, CodingKey {
        case second, requests, throughput, errors, bytes, warmup
        case duration = "duration_s"
        case p50 = "p50_ms"
        case p90 = "p90_ms"
        case p99 = "p99_ms"
        case max = "max_ms"
    }

    public init(second: Int, requests: Int, throughput: Double, duration: Double = 1, errors: Int, bytes: Int,
                p50: Double, p90: Double, p99: Double, max: Double, warmup: Bool) {
        self.second = second
        self.requests = requests
        self.throughput = throughput
        self.duration = duration
        self.errors = errors
        self.bytes = bytes
        self.p50 = p50
        self.p90 = p90
        self.p99 = p99
        self.max = max
        self.warmup = warmup
    }

    /// The point for one (merged) slice.
    public init(_ slice: SecondSlice) {
        let h = slice.response
        let empty = h.totalCount == 0
        func ms(_ p: Double) -> Double { empty ? 0 : LatencyHistograms.millis(h.valueAtPercentile(p)) }
        self.init(second: slice.second, requests: slice.completed, throughput: Double(slice.completed),
                  errors: slice.errors, bytes: slice.bytes, p50: ms(50), p90: ms(90), p99: ms(99),
                  max: empty ? 0 : LatencyHistograms.millis(h.maxRecorded), warmup: slice.warmup)
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        second = try c.decode(Int.self, forKey: .second)
        requests = try c.decode(Int.self, forKey: .requests)
        throughput = try c.decode(Double.self, forKey: .throughput)
        // Results written before the field existed: every point counted as a whole second.
        duration = try c.decodeIfPresent(Double.self, forKey: .duration) ?? 1
        errors = try c.decode(Int.self, forKey: .errors)
        bytes = try c.decode(Int.self, forKey: .bytes)
        p50 = try c.decode(Double.self, forKey: .p50)
        p90 = try c.decode(Double.self, forKey: .p90)
        p99 = try c.decode(Double.self, forKey: .p99)
        max = try c.decode(Double.self, forKey: .max)
        warmup = try c.decode(Bool.self, forKey: .warmup)
    }

    /// This point as covering `duration` seconds (its throughput follows).
    public func covering(_ duration: Double) -> TimeSeriesPoint {
        var point = self
        point.duration = duration
        point.throughput = duration > 0 ? Double(requests) / duration : 0
        return point
    }

    /// Whether the run covered the whole second (a partial one's rate is of a fragment).
    public var isWholeSecond: Bool { duration >= 0.999 }

    /// An empty measured second (nothing completed in it).
    public static func idle(second: Int, warmup: Bool = false) -> TimeSeriesPoint {
        TimeSeriesPoint(second: second, requests: 0, throughput: 0, errors: 0, bytes: 0, p50: 0, p90: 0, p99: 0, max: 0, warmup: warmup)
    }

    /// Orders points by second, the warm-up point first where a second has both.
    static func precedes(_ a: TimeSeriesPoint, _ b: TimeSeriesPoint) -> Bool {
        (a.second, a.warmup ? 0 : 1) < (b.second, b.warmup ? 0 : 1)
    }
}
