import BenchCore
import Foundation

/// Where a server instance is in its life; shown by `server status` and kept in `state.json`.
public enum ServerState: Sendable, Equatable, Codable, CustomStringConvertible {
    /// Launched; the readiness probe has not passed yet.
    case starting
    case ready
    /// Stopped by bench (`server stop`, exit, cleanup).
    case stopped(at: Date)
    /// Ended on its own with an exit code (`nil` when bench could not learn it, e.g. after --attach).
    case exited(code: Int32?, at: Date)
    /// Ended on its own by a signal.
    case killed(signal: Int32, at: Date)
    /// Never became ready: the reason (readiness timeout, launch error).
    case failed(reason: String, at: Date)
    /// Its batch job ended on its own: SLURM's state (`COMPLETED`, `FAILED`, `CANCELLED`, `TIMEOUT`,
    /// `NODE_FAIL`, `PREEMPTED`) and a summary with the exit code or reason.
    case jobEnded(state: String, reason: String, at: Date)

    /// Whether processes may still be running.
    public var isLive: Bool {
        switch self {
        case .starting, .ready: true
        default: false
        }
    }

    public var description: String {
        switch self {
        case .starting: return "starting"
        case .ready: return "ready"
        case .stopped: return "stopped"
        case .exited(let code, _): return "exited(\(code.map(String.init) ?? "?"))"
        case .killed(let signal, _): return "killed(\(ExitStatus.signalName(signal)))"
        case .failed: return "failed"
        case .jobEnded(let state, let reason, _): return "job " + (reason.hasPrefix(state) ? reason : state)
        }
    }

    /// When the instance stopped, exited or failed.
    public var endedAt: Date? {
        switch self {
        case .starting, .ready: nil
        case .stopped(let at), .exited(_, let at), .killed(_, let at), .failed(_, let at), .jobEnded(_, _, let at): at
        }
    }
}
