import Foundation

/// Poisson arrivals: exponentially distributed gaps with mean 1/rate, drawn from a seeded generator.
///
/// Request i is due at the sum of the first i gaps (request 0 at time 0). `scheduledTime(ofRequest:)`
/// walks the gaps from the start (O(index)); the engine walks them in order at O(1) each and yields
/// the identical values.
public struct PoissonPacer: Pacer {
    public let rate: Double
    public let seed: UInt64

    /// `rate` in requests per second (> 0).
    public init(rate: Double, seed: UInt64) {
        precondition(rate > 0 && rate.isFinite, "rate must be positive")
        self.rate = rate
        self.seed = seed
    }

    public func scheduledTime(ofRequest index: Int) -> UInt64 {
        var w = walk()
        for _ in 0..<index { _ = w.next() }
        return w.next()
    }

    func walk() -> Walk { Walk(seed: seed, meanGap: 1e9 / rate) }

    /// The schedule in order. Sums in Double nanoseconds: 53 bits keep sub-nanosecond precision for
    /// runs of days, and the pure function and the engine do the same operations in the same order.
    struct Walk {
        private var random: SplitMix64
        private let meanGap: Double
        private var elapsed: Double = 0

        init(seed: UInt64, meanGap: Double) {
            random = SplitMix64(seed: seed)
            self.meanGap = meanGap
        }

        mutating func next() -> UInt64 {
            let t = UInt64(elapsed.rounded())
            // 1 - u lies in (0, 1], so the logarithm is finite.
            elapsed += -log(1 - random.nextUnitInterval()) * meanGap
            return t
        }
    }
}
