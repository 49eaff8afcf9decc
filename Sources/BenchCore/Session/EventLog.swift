import Foundation

/// The session's event log (`events.jsonl`): one JSON object per line, appended durably.
public final class EventLog: Sendable {
    private let file: DurableAppendFile

    public init(url: URL) throws { file = try DurableAppendFile(url: url) }

    /// Appends one event with its wall-clock time.
    public func append(_ event: String, _ fields: [String: String] = [:]) {
        var object = fields
        object["event"] = event
        object["time"] = ISO8601DateFormatter().string(from: Date())
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]),
              let line = String(data: data, encoding: .utf8) else { return }
        // The event log is a diagnostic aid: a failed write must not fail the command that caused it.
        try? file.append(line + "\n")
    }
}
