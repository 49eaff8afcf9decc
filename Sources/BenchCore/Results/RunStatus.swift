/// How a run ended.
public enum RunStatus: String, Codable, Sendable, CaseIterable {
    /// It ran for its duration or its number of requests.
    case completed
    /// It was stopped early (Ctrl-C, `client stop`); what was measured is kept.
    case interrupted
    /// The target failed during the run (killed, unreachable); partial results are kept.
    case targetFailed = "target-failed"
    /// The client itself failed.
    case failed

    /// How bad an ending is, for picking the status of a run merged from parts.
    var severity: Int {
        switch self {
        case .completed: 0
        case .interrupted: 1
        case .targetFailed: 2
        case .failed: 3
        }
    }
}
