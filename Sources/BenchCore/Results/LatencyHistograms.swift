import Histogram

/// The one histogram layout bench measures latency in: microseconds from 1 µs to 1 hour.
///
/// Every histogram of a run shares this layout so that they merge exactly (bucket by bucket).
public enum LatencyHistograms {
    /// The smallest value told apart from 0, in microseconds.
    public static let lowest: UInt64 = 1
    /// The largest value tracked: one hour in microseconds. Longer values are recorded as one hour.
    public static let highest: UInt64 = 3_600_000_000
    /// The unit every latency histogram counts in.
    public static let unit = "us"

    /// A run-long histogram: 3 significant digits, as the percentiles in results are.
    public static func cumulative() -> Histogram<UInt64> {
        Histogram<UInt64>(lowestDiscernibleValue: lowest, highestTrackableValue: highest, numberOfSignificantValueDigits: .three)
    }

    /// A per-second histogram: 2 significant digits, small enough to keep one per second.
    public static func perSecond() -> Histogram<UInt64> {
        Histogram<UInt64>(lowestDiscernibleValue: lowest, highestTrackableValue: highest, numberOfSignificantValueDigits: .two)
    }

    /// `end − start` in whole microseconds (rounded to nearest), clamped to the tracked range; 0 when `end` precedes `start`.
    @inline(__always)
    static func micros(from start: UInt64, to end: UInt64) -> UInt64 {
        guard end > start else { return 0 }
        return Swift.min((end - start + 500) / 1000, highest)
    }

    /// Microseconds as the milliseconds results show.
    @inline(__always)
    static func millis(_ micros: UInt64) -> Double { Double(micros) / 1000 }

    /// Adds `other` into `histogram`: bucket by bucket (exact) when the layouts match, otherwise by replaying
    /// `other`'s recorded values (clamped to `histogram`'s range), so a foreign file can never trap.
    static func merge(_ other: Histogram<UInt64>, into histogram: inout Histogram<UInt64>) {
        guard other.totalCount > 0 else { return }
        if other.numberOfSignificantValueDigits == histogram.numberOfSignificantValueDigits,
           other.lowestDiscernibleValue == histogram.lowestDiscernibleValue,
           other.maxRecorded <= histogram.highestTrackableValue {
            histogram.add(other)
            return
        }
        for value in other.recordedValues() {
            histogram.record(Swift.min(value.value, histogram.highestTrackableValue), count: value.count)
        }
    }
}
