/// When each request of an open-loop run is due.
///
/// A pacer is a pure function of its parameters (seed, rate) and the request's index, so a replayed
/// session sends exactly the same schedule.
public protocol Pacer: Sendable {
    /// When request `index` (0-based) is due, in nanoseconds since the run's start.
    func scheduledTime(ofRequest index: Int) -> UInt64
}

/// Walks a pacer's schedule in order at O(1) per request (the engine's hot path).
///
/// Yields exactly `pacer.scheduledTime(ofRequest: i)` for i = 0, 1, 2, …
struct ScheduleCursor {
    private enum Kind {
        case constant(gap: Double)
        case poisson(PoissonPacer.Walk)
    }

    private var kind: Kind
    /// The index the next call to `next()` returns the time of.
    private(set) var index = 0

    init(arrival: ArrivalPlan) {
        switch arrival {
        case .constant(let pacer): kind = .constant(gap: pacer.gapNanoseconds)
        case .poisson(let pacer): kind = .poisson(pacer.walk())
        }
    }

    /// The due time of request `index`, then moves on to the next index.
    mutating func next() -> UInt64 {
        defer { index += 1 }
        switch kind {
        case .constant(let gap):
            return ConstantPacer.time(ofRequest: index, gap: gap)
        case .poisson(var walk):
            let t = walk.next()
            kind = .poisson(walk)
            return t
        }
    }
}

/// The concrete pacers the engine knows how to walk.
enum ArrivalPlan: Sendable {
    case constant(ConstantPacer)
    case poisson(PoissonPacer)
}
