import Synchronization

/// The session's handles: counters per kind, what each handle names, and user aliases.
public final class HandleTable: Sendable {
    /// One allocated handle and what it stands for.
    public struct Entry: Sendable, Equatable, Codable {
        public let handle: Handle
        /// A short description, e.g. the recipe name.
        public var label: String
        public var alias: String?
        /// False once the thing is gone (stopped server, finished run); the handle stays reserved.
        public var live: Bool
    }

    private struct State {
        var next: [HandleKind: Int] = [:]
        var entries: [Handle: Entry] = [:]
        var aliases: [String: Handle] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    /// Allocates the next handle of `kind`; numbers are never reused.
    public func allocate(_ kind: HandleKind, label: String, alias: String? = nil) throws -> Handle {
        try state.withLock { s in
            if let alias {
                try Self.validateAlias(alias)
                if s.aliases[alias] != nil { throw BenchError.usage("alias '\(alias)' is already used by \(s.aliases[alias]!)") }
            }
            let number = (s.next[kind] ?? 0) + 1
            s.next[kind] = number
            let handle = Handle(kind: kind, number: number)
            s.entries[handle] = Entry(handle: handle, label: label, alias: alias, live: true)
            if let alias { s.aliases[alias] = handle }
            return handle
        }
    }

    /// Numbers the next handle of its kind after `handle`, which a recorded session used up without the
    /// replay making it (an interrupted run), so the replay's handles keep matching the recording's.
    public func skip(past handle: Handle) {
        state.withLock { s in s.next[handle.kind] = max(s.next[handle.kind] ?? 0, handle.number) }
    }

    /// Aliases must not look like handles and must be plain words, so scripts stay unambiguous.
    static func validateAlias(_ alias: String) throws {
        let valid = !alias.isEmpty && alias.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }
            && alias.first!.isLetter
        guard valid else { throw BenchError.usage("--name '\(alias)': an alias is a word of letters, digits, '-' and '_' starting with a letter") }
        guard Handle(parsing: alias) == nil else { throw BenchError.usage("--name '\(alias)': an alias cannot look like a handle") }
    }

    /// Resolves a handle or an alias of the expected kind, with an error that lists what exists.
    public func resolve(_ text: String, as kind: HandleKind) throws -> Handle {
        try state.withLock { s in
            let handle = Handle(parsing: text) ?? s.aliases[text]
            if let handle, handle.kind == kind, s.entries[handle] != nil { return handle }
            let known = s.entries.keys.filter { $0.kind == kind }.sorted().map(\.description)
            let list = known.isEmpty ? "no \(kind.noun) handles exist yet" : "valid: \(known.joined(separator: ", "))"
            if let handle, handle.kind != kind {
                throw BenchError.usage("'\(text)' is a \(handle.kind.noun) handle; expected a \(kind.noun) handle (\(list))")
            }
            throw BenchError.usage("unknown \(kind.noun) handle '\(text)' (\(list))")
        }
    }

    /// Takes back handles a failed command allocated, so numbering stays as if it never ran
    /// (a replay, which skips failed commands, then gets the same handles). Only the most recent
    /// handles of a kind can be taken back; others stay allocated and reserved.
    public func discard(_ handles: [Handle]) {
        state.withLock { s in
            for handle in handles.sorted(by: >) {
                s.entries[handle] = nil
                s.aliases = s.aliases.filter { $0.value != handle }
                if s.next[handle.kind] == handle.number { s.next[handle.kind] = handle.number - 1 }
            }
        }
    }

    /// Restores handles and counters saved by an earlier bench (`--attach`).
    public func restore(entries: [Entry], counters: [HandleKind: Int]) {
        state.withLock { s in
            for entry in entries {
                s.entries[entry.handle] = entry
                if let alias = entry.alias { s.aliases[alias] = entry.handle }
            }
            for (kind, value) in counters { s.next[kind] = max(s.next[kind] ?? 0, value) }
        }
    }

    public func entry(_ handle: Handle) -> Entry? { state.withLock { $0.entries[handle] } }

    public func setLive(_ handle: Handle, _ live: Bool) {
        state.withLock { $0.entries[handle]?.live = live }
    }

    /// All handles (and aliases) of a kind, for completion and listings.
    public func entries(_ kind: HandleKind? = nil) -> [Entry] {
        state.withLock { s in s.entries.values.filter { kind == nil || $0.handle.kind == kind }.sorted { $0.handle < $1.handle } }
    }

    /// The counters, so a resumed or replayed session continues numbering where it left off.
    public var counters: [HandleKind: Int] { state.withLock { $0.next } }
}
