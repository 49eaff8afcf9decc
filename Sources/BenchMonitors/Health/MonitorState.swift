import BenchCore
import Foundation

/// Where a monitor is in its life: `monitor status` shows it, run results cite it when it was down.
public enum MonitorState: Sendable, Equatable, CustomStringConvertible {
    /// Running and answering.
    case live
    /// Its processes run but it has not answered since then (a hung or stopped Prometheus).
    case notAnswering(since: Date)
    /// A process of it ended on its own (the first one to end; an exporter may go before Prometheus).
    case died(MonitorEnding)
    /// Stopped by bench (`monitor stop`).
    case stopped(at: Date)

    /// Whether queries can go to it (possibly failing, when it does not answer).
    public var canQuery: Bool {
        switch self {
        case .live, .notAnswering: true
        case .died(let ending): !ending.endsMonitor
        case .stopped: false
        }
    }

    /// Whether bench still has something of it to stop (an exporter outlives a killed Prometheus).
    public var hasProcesses: Bool {
        if case .stopped = self { return false }
        return true
    }

    /// `live`, `not answering since 12:03:04`, `prometheus killed(SIGKILL) at 12:03:04`, `stopped at 12:03:04`.
    public var description: String {
        switch self {
        case .live: "live"
        case .notAnswering(let since): "not answering since \(ClockTime.string(since))"
        case .died(let ending): ending.description
        case .stopped(let at): "stopped at \(ClockTime.string(at))"
        }
    }
}
