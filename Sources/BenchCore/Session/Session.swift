import Foundation
import Synchronization

/// The live session: its name and folder, handles, settings, recipes used, notices and event log.
///
/// The managers that act for it (ServerManager, ClientManager, MonitorManager) live in their own
/// targets and hold it; the shell reaches all of them through its command context. Nothing here
/// knows about terminals; the shell drives it and renders what it returns.
public final class Session: Sendable {
    /// A recipe the session used, as written into the script and copied into `recipes/`.
    public struct RecipeUse: Sendable, Equatable {
        public let kind: RecipeKind
        public let name: String
        public let sha256: String
        public let source: String
    }

    public let name: String
    /// The folder holding `NAME.bench` and `NAME/`.
    public let sessionsRoot: URL
    public let catalog: RecipeCatalog
    public let handles = HandleTable()
    public let secrets: Secrets
    /// Process environment as bench started, for recipes and secrets.
    public let environment: [String: String]
    public let startedAt: Date
    /// False for `--no-record`: no script is written, and the folder is a scratch one removed at exit.
    public let isRecorded: Bool

    private struct State {
        var settings = SessionSettings()
        var recipesUsed: [String: RecipeUse] = [:]
        var unrecordedRecipeUses: [RecipeUse] = []
        var notices: [String] = []
        var eventLog: EventLog?
    }
    private let state = Mutex(State())

    public init(name: String, sessionsRoot: URL, catalog: RecipeCatalog, environment: [String: String], secrets: Secrets,
                startedAt: Date = Date(), isRecorded: Bool = true) throws {
        try Session.validateName(name)
        self.isRecorded = isRecorded
        self.name = name
        self.sessionsRoot = sessionsRoot
        self.catalog = catalog
        self.environment = environment
        self.secrets = secrets
        self.startedAt = startedAt
    }

    /// Session names become folder and file names: keep them to one safe path component.
    public static func validateName(_ name: String) throws {
        let ok = !name.isEmpty && name.count <= 100 && !name.hasPrefix(".") && !name.hasPrefix("-")
            && name.allSatisfy { $0.isLetter || $0.isNumber || "-_.".contains($0) }
        guard ok else {
            throw BenchError.usage("--session '\(name)': a session name is letters, digits, '-', '_' and '.', not starting with '.' or '-'")
        }
    }

    /// A timestamped default name, `YYYYMMDD-HHMMSS`, made unique within `root`.
    public static func defaultName(in root: URL, now: Date = Date()) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.dateFormat = "yyyyMMdd-HHmmss"
        return uniqueName(f.string(from: now), in: root)
    }

    /// `base`, or `base-2`, `base-3`, … when a script or folder of that name exists (or the name is in `excluding`).
    public static func uniqueName(_ base: String, in root: URL, excluding: Set<String> = []) -> String {
        let fm = FileManager.default
        var candidate = base
        var n = 2
        while excluding.contains(candidate) || fm.fileExists(atPath: root.appendingPathComponent(candidate).path)
            || fm.fileExists(atPath: root.appendingPathComponent("\(candidate).bench").path) {
            candidate = "\(base)-\(n)"
            n += 1
        }
        return candidate
    }

    /// `sessions/NAME/`: created on first use, so commands that record nothing leave nothing behind.
    public var directory: URL { sessionsRoot.appendingPathComponent(name, isDirectory: true) }
    /// `sessions/NAME.bench`, the recorded script.
    public var scriptURL: URL { sessionsRoot.appendingPathComponent("\(name).bench") }

    /// Creates the session folder if needed and returns it.
    @discardableResult
    public func ensureDirectory() throws -> URL {
        try FileWriting.createDirectory(directory)
        return directory
    }

    // MARK: Settings

    public var settings: SessionSettings { state.withLock { $0.settings } }

    public func set(_ key: String, to value: String) throws {
        try state.withLock { try $0.settings.set(key, to: value) }
    }

    // MARK: Recipes

    /// Notes that a command used a recipe: copies it into `recipes/` on first use and queues its
    /// hash for the script. Returns true on first use.
    @discardableResult
    public func useRecipe(_ loaded: LoadedRecipe) throws -> Bool {
        // A recipe given as a path is copied under its file's stem, like one found by name.
        let stem = loaded.entry.origin == .file ? loaded.entry.file.deletingPathExtension().lastPathComponent : loaded.entry.name
        let key = "\(loaded.entry.kind.folderName)/\(stem)"
        let use = RecipeUse(kind: loaded.entry.kind, name: loaded.entry.name, sha256: loaded.sha256, source: loaded.entry.file.path)
        let isNew = state.withLock { s -> Bool in
            if let earlier = s.recipesUsed[key], earlier.sha256 == use.sha256 { return false }
            return true
        }
        guard isNew else { return false }
        // The copy first: a use noted before a copy that failed (a full disk) would never be copied
        // again, and the script would name a recipe the failed command never got to use.
        let copy = try ensureDirectory().appendingPathComponent("recipes/\(key).yaml")
        try FileWriting.writeAtomically(Data(loaded.text.utf8), to: copy)
        state.withLock { s in
            s.recipesUsed[key] = use
            s.unrecordedRecipeUses.append(use)
        }
        return true
    }

    /// Recipes first used since the last call, for the recorder to write before the command that used them.
    public func takeUnrecordedRecipeUses() -> [RecipeUse] {
        state.withLock { s in
            defer { s.unrecordedRecipeUses = [] }
            return s.unrecordedRecipeUses
        }
    }

    /// Puts back uses taken for a script line that could not be written, so the next line carries them.
    public func requeueRecipeUses(_ uses: [RecipeUse]) {
        state.withLock { $0.unrecordedRecipeUses.insert(contentsOf: uses, at: 0) }
    }

    public var recipesUsed: [RecipeUse] { state.withLock { $0.recipesUsed.values.sorted { ($0.kind.rawValue, $0.name) < ($1.kind.rawValue, $1.name) } } }

    // MARK: Notices and events

    /// Queues a message to show before the next prompt (a server that died on its own, …).
    public func notify(_ message: String) { state.withLock { $0.notices.append(message) } }

    public func takeNotices() -> [String] {
        state.withLock { s in
            defer { s.notices = [] }
            return s.notices
        }
    }

    /// Appends to `events.jsonl` in the session folder.
    public func logEvent(_ event: String, _ fields: [String: String] = [:]) {
        let log: EventLog? = state.withLock { s in
            if s.eventLog == nil, let dir = try? ensureDirectory() {
                s.eventLog = try? EventLog(url: dir.appendingPathComponent("events.jsonl"))
            }
            return s.eventLog
        }
        log?.append(event, fields.mapValues(secrets.redact))
    }
}
