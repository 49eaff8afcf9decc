import BenchCore
import Foundation

/// Appends the session's commands to `sessions/NAME.bench` as they succeed, durably and without secrets.
///
/// The script is created with its header on the first line worth keeping, so commands that record
/// nothing (`help`, `server list`) leave no files behind. Failed commands before that are held and
/// written first, as comments.
public final class SessionRecorder {
    /// What the header says about where the session ran.
    public struct Header: Sendable {
        public var version: String
        public var host: String
        public var orchestrator: String
        /// For a replay: the script it replays.
        public var replayOf: String?

        public init(version: String, host: String, orchestrator: String, replayOf: String? = nil) {
            self.version = version
            self.host = host
            self.orchestrator = orchestrator
            self.replayOf = replayOf
        }
    }

    private let session: Session
    private let header: Header
    private var file: DurableAppendFile?
    private var heldComments: [String] = []
    /// False for `--no-record`: nothing is written.
    public let enabled: Bool

    public init(session: Session, header: Header, enabled: Bool = true) {
        self.session = session
        self.header = header
        self.enabled = enabled
    }

    /// Continues an existing script (`--attach`): no new header, a comment marks where this bench took over.
    public func resumeExisting(note: String) throws {
        guard enabled, FileManager.default.fileExists(atPath: session.scriptURL.path) else { return }
        let existing = try DurableAppendFile(url: session.scriptURL)
        file = existing
        try existing.append("# \(note)\n")
    }

    public var isStarted: Bool { file != nil }

    /// Records a successful command (its normalised form), after any recipes it used for the first time.
    public func recordSuccess(_ line: String, producedHandles: [Handle] = []) throws {
        guard enabled else { return }
        var text = ""
        let uses = session.takeUnrecordedRecipeUses()
        for use in uses {
            text += "# recipe: \(use.kind.rawValue) \(use.name) sha256=\(use.sha256) (\(use.source))\n"
        }
        text += line
        if !producedHandles.isEmpty { text += "  # -> " + producedHandles.map(\.description).joined(separator: " ") }
        do {
            try append(text + "\n", start: true)
        } catch {
            session.requeueRecipeUses(uses)
            throw error
        }
    }

    /// Keeps a failed command as a comment with its error, so nothing typed is lost. Handles it took
    /// (a run that failed still has its `rN.json`) are kept as `# -> r2`, so a replay skips them and later handles match.
    public func recordFailure(_ line: String, error: String, producedHandles: [Handle] = []) throws {
        guard enabled else { return }
        let marked = producedHandles.isEmpty ? line : line + "  # -> " + producedHandles.map(\.description).joined(separator: " ")
        let text = commented(marked, verdict: "failed", detail: "error: \(error)")
        try append(text, start: false)
    }

    /// A command interrupted by Ctrl-C: kept as a comment, since replaying it would not be the same experiment.
    /// The handles it took are kept too (`# -> r2`): a replay skips them, so later handles match.
    public func recordInterrupted(_ line: String, producedHandles: [Handle] = []) throws {
        guard enabled else { return }
        let marked = producedHandles.isEmpty ? line : line + "  # -> " + producedHandles.map(\.description).joined(separator: " ")
        try append(commented(marked, verdict: "interrupted", detail: nil), start: false)
    }

    /// A free comment line (e.g. `detach`).
    public func recordComment(_ comment: String) throws {
        guard enabled else { return }
        try append("# \(comment)\n", start: true)
    }

    private func commented(_ line: String, verdict: String, detail: String?) -> String {
        var text = "# \(verdict): \(line)\n"
        if let detail {
            for detailLine in detail.split(separator: "\n", omittingEmptySubsequences: false) { text += "#   \(detailLine)\n" }
        }
        return text
    }

    /// Writes `text`; comments wait in memory until the script exists, unless `start` asks to create it.
    private func append(_ text: String, start: Bool) throws {
        let clean = session.secrets.redact(text)
        if file == nil {
            guard start else {
                heldComments.append(clean)
                return
            }
            try create()
        }
        try file!.append(clean)
    }

    /// Anything held when the shell ends is written, so failed attempts are kept even in a session that recorded nothing else.
    public func finish() throws {
        guard enabled, file == nil, !heldComments.isEmpty else { return }
        try create()
    }

    /// Creates the script with its header and the held comments. A new script appears whole, by
    /// rename: a bench killed at that moment, or a full disk, leaves no empty or headless script.
    private func create() throws {
        let text = headerText() + heldComments.joined()
        if !FileManager.default.fileExists(atPath: session.scriptURL.path) {
            try FileWriting.writeAtomically(Data(text.utf8), to: session.scriptURL)
            file = try DurableAppendFile(url: session.scriptURL)
        } else {
            // A script of the same name from an earlier bench: this session's header follows it.
            let existing = try DurableAppendFile(url: session.scriptURL)
            try existing.append(text)
            file = existing
        }
        heldComments = []
    }

    private func headerText() -> String {
        let date = ISO8601DateFormatter().string(from: session.startedAt)
        var lines = [
            "# bench session script; replay with: bench --replay \(session.scriptURL.lastPathComponent)",
            "# session: \(session.name)",
            "# date: \(date)",
            "# bench: \(header.version)",
            "# host: \(header.host)",
            "# orchestrator: \(header.orchestrator)",
        ]
        if let replayOf = header.replayOf { lines.append("# replay-of: \(replayOf)") }
        lines.append("# recipes used are listed as '# recipe:' lines before the command that first used them")
        return lines.joined(separator: "\n") + "\n"
    }
}
