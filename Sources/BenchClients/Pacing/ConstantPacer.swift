/// Requests at a fixed gap of 1/rate: request i is due at i/rate.
public struct ConstantPacer: Pacer {
    public let rate: Double
    let gapNanoseconds: Double

    /// `rate` in requests per second (> 0).
    public init(rate: Double) {
        precondition(rate > 0 && rate.isFinite, "rate must be positive")
        self.rate = rate
        gapNanoseconds = 1e9 / rate
    }

    public func scheduledTime(ofRequest index: Int) -> UInt64 {
        Self.time(ofRequest: index, gap: gapNanoseconds)
    }

    /// Multiplies instead of summing gaps, so no rounding error builds up over a long run.
    @inline(__always)
    static func time(ofRequest index: Int, gap: Double) -> UInt64 {
        UInt64((Double(index) * gap).rounded())
    }
}
