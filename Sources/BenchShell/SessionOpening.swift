import BenchCore
import BenchServers
import Foundation

/// Picks the session folder a bench may write and takes its lock: one writer per session.
///
/// - A name given with `--session` is refused while another bench has it open (the lock), and when
///   it names a session that was recorded already: a new bench never appends to an ended session's
///   script or overwrites its `runs/`, so every recorded session replays exactly as it ran.
/// - `--attach` is the one way back into an existing session; it is refused only while the session is open.
/// - Names bench makes up (a timestamp, `NAME-replay`) move on to the next free name instead.
/// - `--no-record` works in `sessions/.unrecorded/NAME/`, which the shell removes at exit: it
///   keeps server logs and results for the session's own commands, and state for `--cleanup`
///   should bench be killed, but leaves no session behind.
public enum SessionOpening {
    /// How the name was chosen, which decides what happens when it is taken.
    public enum NameSource: Equatable {
        /// `--session NAME`: the user's choice, refused when taken.
        case given(String)
        /// `--attach NAME`: an existing session, refused only while open.
        case attach(String)
        /// A name bench made up from this base (timestamp, `NAME-replay`): the next free one is used.
        case generated(String)
    }

    /// The folder holding unrecorded sessions' working files, inside the sessions folder.
    public static func unrecordedRoot(_ sessionsRoot: URL) -> URL { sessionsRoot.appendingPathComponent(unrecordedFolder, isDirectory: true) }

    /// The name of that folder.
    static let unrecordedFolder = ".unrecorded"

    /// A session folder chosen and locked.
    public struct Opened {
        public let name: String
        /// The root the session's folder is in: the sessions folder, or `.unrecorded` inside it.
        public let root: URL
        public let lock: SessionLock
        /// Whether bench created the sessions folder itself, so an empty one can go at exit.
        public let createdSessionsRoot: Bool
    }

    /// Why a session cannot be opened: the message for `bench: …`, and exit code 2.
    public struct Refusal: Error, CustomStringConvertible {
        public let description: String
    }

    /// Chooses and locks the session folder, or says why not and what to do instead.
    public static func open(_ source: NameSource, sessionsRoot: URL, record: Bool) -> Result<Opened, Refusal> {
        let createdRoot = !FileManager.default.fileExists(atPath: sessionsRoot.path)
        let root = record ? sessionsRoot : unrecordedRoot(sessionsRoot)
        switch source {
        case .given(let name) where record:
            return lock(name, in: root, createdRoot: createdRoot) { holder in
                "session \(name) is open in \(holder); a session has one writer. "
                    + "Use another name (--session \(name)-2), or leave that bench first (its 'detach' keeps servers running for 'bench --attach \(name)')"
            }.flatMap { opened in
                let folder = root.appendingPathComponent(name)
                let script = root.appendingPathComponent("\(name).bench")
                if let recorded = recordedContents(of: folder, script: script) {
                    opened.lock.release(removeIfAlone: false)
                    var ways = ["use another name (--session \(Session.uniqueName(name, in: root)))"]
                    if FileManager.default.fileExists(atPath: script.path) { ways.append("replay it (bench --replay \(DisplayPath.of(script)))") }
                    if let state = try? SessionStateFile.load(folder.appendingPathComponent("state.json")), state.detached {
                        ways.insert("resume it, since it was detached (bench --attach \(name))", at: 0)
                    }
                    return .failure(Refusal(description: "session \(name) was recorded already (\(recorded)); a new bench never appends "
                        + "to it, so it still replays as it ran: " + ways.joined(separator: ", or ")))
                }
                return .success(opened)
            }
        case .attach(let name):
            return lock(name, in: root, createdRoot: createdRoot) { holder in
                "--attach \(name): the session is open in \(holder); leave it there first ('detach' keeps its servers running)"
            }
        case .given(let base), .generated(let base):
            // Generated names, and unrecorded sessions (nothing of theirs outlives bench), take the next free name.
            var tried: Set<String> = []
            var candidate = Session.uniqueName(base, in: root)
            for _ in 0..<100 {
                switch lock(candidate, in: root, createdRoot: createdRoot, held: { _ in "" }) {
                case .success(let opened):
                    let folder = root.appendingPathComponent(candidate)
                    if recordedContents(of: folder, script: root.appendingPathComponent("\(candidate).bench")) == nil { return .success(opened) }
                    opened.lock.release(removeIfAlone: false)
                case .failure(let refusal) where !refusal.description.isEmpty:
                    return .failure(refusal)
                case .failure:
                    break
                }
                tried.insert(candidate)
                candidate = Session.uniqueName(base, in: root, excluding: tried)
            }
            return .failure(Refusal(description: "no free session name like '\(base)' under \(DisplayPath.of(root))"))
        }
    }

    /// Takes the lock of `root/name`; `held` words the refusal when another bench has it.
    private static func lock(_ name: String, in root: URL, createdRoot: Bool, held: (SessionLock.Holder) -> String) -> Result<Opened, Refusal> {
        switch SessionLock.acquire(directory: root.appendingPathComponent(name, isDirectory: true)) {
        case .success(let lock):
            return .success(Opened(name: name, root: root, lock: lock, createdSessionsRoot: createdRoot))
        case .failure(.held(let holder)):
            return .failure(Refusal(description: held(holder)))
        case .failure(.unavailable(let path, let reason)):
            return .failure(Refusal(description: "cannot open session folder \(DisplayPath.of(URL(fileURLWithPath: path))): \(reason); "
                + "choose a writable folder with --sessions-dir DIR or $BENCH_SESSIONS"))
        }
    }

    /// What a session writes that a new bench would append to or overwrite: the script, the run
    /// results, the state and event log. Other files (a folder made ready by hand) do not make a session.
    static let recordedEntries: Set<String> = ["runs", "state.json", "events.jsonl"]

    /// What an ended session left (its script, results, state), or nil when it recorded nothing.
    static func recordedContents(of folder: URL, script: URL) -> String? {
        let fm = FileManager.default
        var found: [String] = []
        if fm.fileExists(atPath: script.path) { found.append(DisplayPath.of(script)) }
        let all = ((try? fm.contentsOfDirectory(atPath: folder.path)) ?? []).filter { $0 != SessionLock.fileName }
        let entries = all.contains(where: recordedEntries.contains) ? all : []
        if !entries.isEmpty { found.append("\(DisplayPath.of(folder))/ with \(entries.sorted().prefix(4).joined(separator: ", "))\(entries.count > 4 ? ", …" : "")") }
        return found.isEmpty ? nil : found.joined(separator: " and ")
    }

    /// At exit: the lock goes, and a folder that holds nothing else goes with it. An unrecorded
    /// session's working folder goes whole unless servers were left running from it.
    public static func close(_ opened: Opened, sessionsRoot: URL, record: Bool, keepWorkingFiles: Bool) {
        let folder = opened.root.appendingPathComponent(opened.name)
        if !record && !keepWorkingFiles {
            try? FileManager.default.removeItem(at: folder)
            rmdir(opened.root.path)
        }
        opened.lock.release(removeIfAlone: true)
        if opened.createdSessionsRoot { rmdir(sessionsRoot.path) }
    }
}
