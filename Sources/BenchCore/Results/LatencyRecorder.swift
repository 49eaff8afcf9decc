import Histogram

/// Counts values in exactly the bucket layout of an HDR `Histogram` (lowest 1, the given significant digits),
/// with a plain, non-generic record that costs a few instructions even in a debug build, and turns into an equal
/// `Histogram` (same buckets, total, minimum and maximum, hence the same percentiles) when asked.
///
/// The hot path records here rather than through `Histogram.record`, whose generic code is not specialised
/// across modules in debug builds (about 200 ns a call there, against a few ns here).
struct LatencyRecorder {
    /// log2 of half the number of sub-buckets: 10 for 3 significant digits, 7 for 2.
    let halfCountMagnitude: Int
    let significantDigits: SignificantDigits
    /// Values are clamped to this (bench's 1 hour), as the histograms they become track no further.
    let highest: UInt64
    private(set) var counts: [UInt64]
    private(set) var total: UInt64 = 0
    private(set) var minNonZero: UInt64 = .max
    private(set) var max: UInt64 = 0

    init(significantDigits: SignificantDigits, highest: UInt64 = LatencyHistograms.highest) {
        // The smallest power of two at least 2 × 10^digits sub-buckets keeps single-unit resolution up to there.
        let singleUnitLimit = 2 * (0..<Int(significantDigits.rawValue)).reduce(UInt64(1)) { value, _ in value * 10 }
        var magnitude = 0
        while (UInt64(1) << magnitude) < singleUnitLimit { magnitude += 1 }
        halfCountMagnitude = Swift.max(magnitude, 1) - 1
        self.significantDigits = significantDigits
        self.highest = highest
        counts = []
        counts = [UInt64](repeating: 0, count: index(of: highest) + 1)
    }

    @inline(__always)
    func index(of value: UInt64) -> Int {
        // Bucket k holds values of k + halfCountMagnitude + 1 significant bits, in sub-buckets 2^k wide; the
        // lower half of every bucket but the first is covered by the buckets below it.
        let subBucketMask = (UInt64(1) << (halfCountMagnitude + 1)) - 1
        let bucket = (64 - halfCountMagnitude - 1) - (value | subBucketMask).leadingZeroBitCount
        let subBucket = Int(truncatingIfNeeded: value >> UInt64(bucket))
        return ((bucket + 1) << halfCountMagnitude) + subBucket - (1 << halfCountMagnitude)
    }

    /// The lowest value of the bucket at `index`.
    func lowestValue(at index: Int) -> UInt64 {
        let halfCount = 1 << halfCountMagnitude
        var bucket = (index >> halfCountMagnitude) - 1
        var subBucket = (index & (halfCount - 1)) + halfCount
        if bucket < 0 {
            subBucket -= halfCount
            bucket = 0
        }
        return UInt64(subBucket) << UInt64(bucket)
    }

    @inline(__always)
    mutating func record(_ value: UInt64) {
        let v = value < highest ? value : highest
        counts[index(of: v)] &+= 1
        total &+= 1
        if v > max { max = v }
        if v != 0, v < minNonZero { minNonZero = v }
    }

    /// The equal `Histogram`: every bucket's count recorded at a value inside the bucket, the exact extremes kept.
    func histogram() -> Histogram<UInt64> {
        var h = Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: highest,
                                  numberOfSignificantValueDigits: significantDigits)
        guard total > 0 else { return h }
        let minIndex = minNonZero == .max ? -1 : index(of: minNonZero)
        let maxIndex = index(of: max)
        for (i, count) in counts.enumerated() where count > 0 {
            var remaining = count
            if i == minIndex {
                h.record(minNonZero)
                remaining -= 1
            }
            guard remaining > 0 else { continue }
            // In the maximum's bucket the count goes at the maximum itself, so the maximum stays exact.
            h.record(i == maxIndex ? max : Swift.max(lowestValue(at: i), i == minIndex ? minNonZero : 0), count: remaining)
        }
        return h
    }
}
