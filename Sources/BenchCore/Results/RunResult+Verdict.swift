import Foundation

extension RunResult {
    /// Why a run that ran counts as failed: not one request succeeded, so it measured nothing about
    /// the service. nil when something succeeded.
    ///
    /// A dead target gives connect errors only, a server of another kind error statuses only; either
    /// way a "completed" run with a latency table of zeros would pass for a measurement.
    public var nothingSucceededReason: String? {
        guard counts.ok == 0 else { return nil }
        let c = counts
        let failedKinds = c.errors.filter { $0.value > 0 }.sorted { $0.key < $1.key }
        if let codes = c.statusCodes, !codes.isEmpty, failedKinds.allSatisfy({ $0.key == "status" }) {
            let listed = codes.sorted { $0.key < $1.key }.map { "\($0.key) x\($0.value)" }.joined(separator: ", ")
            return "no request succeeded: every answer was an error status (\(listed))"
        }
        if failedKinds.isEmpty {
            return "no request succeeded: nothing was answered in the measured \(String(format: "%.1f", measuredDuration))s"
        }
        return "no request succeeded: errors \(c.errorTotal) (" + failedKinds.map { "\($0.key) \($0.value)" }.joined(separator: ", ") + ")"
    }

    /// Marks a run in which nothing succeeded as failed, keeping a target failure's reason before it.
    /// An interrupted run keeps its status: it was stopped, not refused.
    public mutating func failIfNothingSucceeded() {
        guard status != .interrupted, let why = nothingSucceededReason else { return }
        statusReason = [statusReason, why].compactMap { $0 }.joined(separator: "; ")
        status = .failed
    }
}
