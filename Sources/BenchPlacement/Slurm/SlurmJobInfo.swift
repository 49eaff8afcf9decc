import Foundation

/// What `scontrol show job ID -o` says of one job: its state, why it waits, where it runs.
public struct SlurmJobInfo: Sendable, Equatable {
    public var id: String
    /// `PENDING`, `RUNNING`, `COMPLETED`, `CANCELLED`, `FAILED`, `TIMEOUT`, `NODE_FAIL`, `PREEMPTED`, …
    public var state: String
    /// Why it is pending (or why it ended): `Resources`, `Priority`, `None`, ….
    public var reason: String?
    /// The allocated node list, once it runs.
    public var nodes: String?
    /// `RunTime` as SLURM prints it (`00:01:23`).
    public var runTime: String?
    /// `TimeLimit` (`01:00:00`, `UNLIMITED`).
    public var timeLimit: String?
    /// The batch script's exit code and the signal that ended it (`ExitCode=3:0`).
    public var exitCode: Int32?
    public var exitSignal: Int32?
    public var partition: String?

    /// States a job is in before it ends.
    public static let activeStates: Set<String> = ["PENDING", "CONFIGURING", "RUNNING", "COMPLETING", "SUSPENDED", "REQUEUED",
                                                   "REQUEUE_HOLD", "REQUEUE_FED", "RESIZING", "SIGNALING", "STAGE_OUT", "STOPPED", "RESV_DEL_HOLD"]

    public var isActive: Bool { Self.activeStates.contains(state) }
    public var isPending: Bool { state == "PENDING" || state == "REQUEUED" || state == "CONFIGURING" }
    public var isRunning: Bool { state == "RUNNING" || state == "COMPLETING" }

    /// Parses one line of `scontrol show job -o`: space-separated `Key=Value` pairs where a value may
    /// itself hold spaces (`Command=`, `Comment=`), so a word without `=` continues the previous value.
    public static func parse(scontrolLine line: String) -> SlurmJobInfo? {
        var fields: [String: String] = [:]
        var lastKey: String?
        for word in line.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: " ", omittingEmptySubsequences: true) {
            if let eq = word.firstIndex(of: "="), word[..<eq].allSatisfy({ $0.isLetter || $0.isNumber || $0 == ":" || $0 == "/" || $0 == "_" }),
               !word[..<eq].isEmpty {
                let key = String(word[..<eq])
                fields[key] = String(word[word.index(after: eq)...])
                lastKey = key
            } else if let key = lastKey {
                fields[key, default: ""] += " " + word
            }
        }
        guard let id = fields["JobId"], let state = fields["JobState"] else { return nil }
        func value(_ key: String) -> String? {
            guard let text = fields[key], !text.isEmpty, text != "(null)" else { return nil }
            return text
        }
        var info = SlurmJobInfo(id: id, state: state, reason: value("Reason"), nodes: value("NodeList"), runTime: value("RunTime"),
                                timeLimit: value("TimeLimit"), exitCode: nil, exitSignal: nil, partition: value("Partition"))
        if let exit = value("ExitCode") {
            let parts = exit.split(separator: ":")
            info.exitCode = parts.first.flatMap { Int32($0) }
            info.exitSignal = parts.count > 1 ? Int32(parts[1]) : nil
        }
        return info
    }

    /// `RUNNING on node1`, `PENDING (Resources)`, `FAILED (exit 3)`: for progress lines and errors.
    public var summary: String {
        var text = state
        if isPending, let reason, reason != "None" { text += " (\(reason))" }
        if isRunning, let nodes { text += " on \(nodes)" }
        if !isActive {
            var details: [String] = []
            if let exitCode, exitCode != 0 || state == "FAILED" { details.append("exit \(exitCode)") }
            if let exitSignal, exitSignal != 0 { details.append("signal \(exitSignal)") }
            if let reason, reason != "None" { details.append(reason) }
            if !details.isEmpty { text += " (\(details.joined(separator: ", ")))" }
        }
        return text
    }
}
