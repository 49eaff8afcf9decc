import BenchCore
import Foundation

/// A stretch of time a monitor saw nothing (or less than usual): from a death, a hang or a stop
/// until it was back.
public struct MonitorOutage: Sendable, Equatable {
    /// What happened, with its time: `prometheus killed(SIGKILL) at 12:03:04`.
    public let cause: String
    public let from: Date
    /// When it was back (a restart, answering again); nil while it lasts.
    public var until: Date?

    public init(cause: String, from: Date, until: Date? = nil) {
        self.cause = cause
        self.from = from
        self.until = until
    }

    /// The part of `window` this outage takes (one that still lasts runs to the window's end); nil when none.
    public func overlap(with window: TimeWindow) -> (from: Date, to: Date)? {
        let start = max(from, window.start)
        let end = min(until ?? .distantFuture, window.end)
        return end > start ? (start, end) : nil
    }

    /// `prometheus killed(SIGKILL) at 12:03:04`, with `, back at 12:03:40` once it is over.
    public var description: String {
        cause + (until.map { ", back at \(ClockTime.string($0))" } ?? "")
    }
}
