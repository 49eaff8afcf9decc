import Histogram

/// An HDR histogram as result files store it: its layout and the counts of recorded values only.
///
/// `histogram()` rebuilds a histogram with the same buckets, total, minimum and maximum as the one it was made
/// from, so percentiles read from it are identical and histograms from several files merge exactly.
public struct SerializedHistogram: Sendable, Codable, Equatable {
    /// The unit of every value: `us` (microseconds).
    public var unit: String
    public var lowest: UInt64
    public var highest: UInt64
    public var significantDigits: Int
    public var totalCount: UInt64
    /// The smallest value recorded, exactly (0 when a zero was recorded or nothing was).
    public var min: UInt64
    /// The largest value recorded, exactly (percentiles are clamped to it).
    public var max: UInt64
    /// `[value, count]` for every bucket that holds a count, ascending; `value` is the bucket's highest equivalent value.
    public var counts: [[UInt64]]

    enum CodingKeys: String, CodingKey {
        case unit, lowest, highest, min, max, counts
        case significantDigits = "significant_digits"
        case totalCount = "total_count"
    }

    public init(_ histogram: Histogram<UInt64>) {
        unit = LatencyHistograms.unit
        lowest = histogram.lowestDiscernibleValue
        highest = histogram.highestTrackableValue
        significantDigits = Int(histogram.numberOfSignificantValueDigits.rawValue)
        totalCount = histogram.totalCount
        min = histogram.totalCount == 0 ? 0 : histogram.min
        max = histogram.maxRecorded
        counts = histogram.recordedValues().map { [$0.value, $0.count] }
    }

    /// An empty histogram in bench's run-long layout.
    public static var empty: SerializedHistogram { SerializedHistogram(LatencyHistograms.cumulative()) }

    /// The histogram this was made from: same buckets, total, minimum and maximum, hence the same percentiles.
    public func histogram() -> Histogram<UInt64> {
        let digits = SignificantDigits(rawValue: Int8(clamping: significantDigits)) ?? .three
        var histogram = Histogram<UInt64>(lowestDiscernibleValue: lowest, highestTrackableValue: highest,
                                          numberOfSignificantValueDigits: digits)
        var minPlaced = min == 0
        for pair in counts where pair.count == 2 && pair[1] > 0 {
            // Bucket values stand for every value in their bucket; the exact extremes are put back so that the
            // percentile clamping (to min and max recorded) matches the original.
            var count = pair[1]
            if !minPlaced, histogram.valuesAreEquivalent(pair[0], min) {
                histogram.record(min)
                count -= 1
                minPlaced = true
            }
            if count > 0 {
                histogram.record(Swift.min(pair[0], max), count: count)
            }
        }
        return histogram
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        unit = try c.decodeIfPresent(String.self, forKey: .unit) ?? LatencyHistograms.unit
        lowest = try c.decode(UInt64.self, forKey: .lowest)
        highest = try c.decode(UInt64.self, forKey: .highest)
        significantDigits = try c.decode(Int.self, forKey: .significantDigits)
        totalCount = try c.decode(UInt64.self, forKey: .totalCount)
        min = try c.decodeIfPresent(UInt64.self, forKey: .min) ?? 0
        max = try c.decodeIfPresent(UInt64.self, forKey: .max) ?? 0
        counts = try c.decode([[UInt64]].self, forKey: .counts)
        // Reject what the Histogram initialiser would trap on, rather than crash on a bad file.
        guard unit == LatencyHistograms.unit else {
            throw DecodingError.dataCorruptedError(forKey: .unit, in: c, debugDescription: "histogram unit must be \"us\", not \"\(unit)\"")
        }
        guard (0...5).contains(significantDigits) else {
            throw DecodingError.dataCorruptedError(forKey: .significantDigits, in: c, debugDescription: "significant_digits must be 0...5")
        }
        guard lowest >= 1, lowest <= 1 << 40, highest >= 2 * lowest, highest <= UInt64.max / 4 else {
            throw DecodingError.dataCorruptedError(forKey: .highest, in: c, debugDescription: "need 1 <= lowest and 2 * lowest <= highest")
        }
        guard counts.allSatisfy({ $0.count == 2 && $0[0] <= highest * 2 }), max <= highest * 2 else {
            throw DecodingError.dataCorruptedError(forKey: .counts, in: c, debugDescription: "counts must be [value, count] pairs within the histogram's range")
        }
    }
}
