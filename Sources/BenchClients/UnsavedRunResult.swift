import BenchCore

/// A run that finished but whose `runs/rN.json` could not be written (a full or read-only disk).
///
/// It carries the result, so the command can still show what was measured; `show rN` keeps it for
/// as long as bench runs.
public struct UnsavedRunResult: Error, CustomStringConvertible, Sendable {
    public let result: RunResult
    /// Why the file could not be written, naming it.
    public let reason: String

    public init(result: RunResult, reason: String) {
        self.result = result
        self.reason = reason
    }

    public var description: String {
        "\(result.run) \(result.status.rawValue), but its result was not saved: \(reason); 'show \(result.run)' prints it until bench exits"
    }
}
