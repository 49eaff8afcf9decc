/// SplitMix64 (Steele, Lea & Flood 2014): the seeded generator behind arrivals and key choices.
///
/// Hand-written rather than imported: it is ten lines, passes BigCrush, accepts any 64-bit seed
/// (including 0) without a warm-up, and its output is fixed by its definition, so a recorded seed
/// replays the same schedule on any platform or Swift version. The standard library's generator is
/// not seedable and GameplayKit does not exist on Linux.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    /// The generator of one of several streams drawn from one seed (a connection's keys), independent of the others.
    ///
    /// The stream is mixed in, not merely added or XORed to the seed: the state only ever adds a constant, so two
    /// seeds that differ by a multiple of it give one sequence, shifted (`seed ^ stream * constant` made every
    /// other connection replay its neighbour's keys two draws late, and 50 connections drew from 2 sequences).
    init(seed: UInt64, stream: UInt64) {
        var streamMixer = SplitMix64(seed: stream)
        var seedMixer = SplitMix64(seed: seed &+ streamMixer.next())
        state = seedMixer.next()
    }

    @inline(__always)
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1) with 53 random bits.
    @inline(__always)
    mutating func nextUnitInterval() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// Uniform in 0..<bound (bound > 0), by Lemire's multiply-shift (bias below 2^-32 for our bounds).
    @inline(__always)
    mutating func next(below bound: Int) -> Int {
        Int(truncatingIfNeeded: next().multipliedFullWidth(by: UInt64(bound)).high)
    }
}
