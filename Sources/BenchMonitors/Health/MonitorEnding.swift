import BenchCore
import Foundation

/// A process of a monitor that ended on its own: which one, how and when.
public struct MonitorEnding: Sendable, Equatable, CustomStringConvertible {
    /// What ended: `prometheus`, `prometheus-node-exporter`, `prometheus job 45`.
    public let part: String
    /// How, in the words `server status` uses: `killed(SIGKILL)`, `exited(1)`, `job FAILED`.
    public let how: String
    public let at: Date
    /// Whether the monitor as a whole is gone (Prometheus itself), not only an exporter beside it:
    /// without it nothing can be queried.
    public let endsMonitor: Bool

    public init(part: String, how: String, at: Date = Date(), endsMonitor: Bool) {
        self.part = part
        self.how = how
        self.at = at
        self.endsMonitor = endsMonitor
    }

    /// `prometheus killed(SIGKILL) at 12:03:04`.
    public var description: String { "\(part) \(how) at \(ClockTime.string(at))" }
}
