import BenchCore
import BenchServers
import Foundation

/// `bench --sessions`, `bench --cleanup [NAME]` and the start-up offer to clean up after a killed bench.
public enum SessionMaintenance {
    /// Lists sessions whose servers still run, with their owner.
    public static func listSessions(root: URL, console: Console) -> Int32 {
        let leftovers = scan(root, includeOwned: true)
        guard !leftovers.isEmpty else {
            console.print("no sessions with running servers under \(root.path)")
            return 0
        }
        var rows: [[String]] = []
        for leftover in leftovers {
            let owner = leftover.state.detached ? "detached" : (leftover.state.ownerIsAlive ? "bench pid \(leftover.state.ownerPid)" : "none (bench was killed)")
            let servers = leftover.running.map { "\($0.handle) \($0.recipeName) \($0.endpoint.address("main") ?? $0.endpoint.host)" }
                + leftover.auxiliary.keys.sorted().map { "\($0) (monitor)" }
            rows.append([leftover.name + (isUnrecorded(leftover) ? " (--no-record)" : ""), owner, servers.joined(separator: ", ")])
        }
        console.table(["SESSION", "OWNER", "RUNNING SERVERS"], rows)
        console.print("resume one with: bench --attach NAME; stop them with: bench --cleanup NAME")
        return 0
    }

    /// Stops leftover servers: of the named session (even if detached), or of every session whose bench is gone.
    public static func cleanup(root: URL, name: String?, console: Console) async -> Int32 {
        var leftovers = scan(root, includeOwned: name != nil)
        if let name {
            leftovers = leftovers.filter { $0.name == name }
            if let owned = leftovers.first, owned.state.ownerIsAlive, !owned.state.detached {
                console.error("session \(name) is open in bench pid \(owned.state.ownerPid); leave it there (exit) instead")
                return 1
            }
            guard !leftovers.isEmpty else {
                let exists = FileManager.default.fileExists(atPath: root.appendingPathComponent(name).appendingPathComponent("state.json").path)
                console.print(exists ? "session \(name): nothing left running" : "session \(name): no state file under \(root.path)")
                return exists ? 0 : 1
            }
        } else {
            leftovers = leftovers.filter { !$0.state.detached }
        }
        guard !leftovers.isEmpty else {
            console.print("nothing left running by a killed bench under \(root.path)")
            return 0
        }
        for leftover in leftovers {
            for line in await LeftoverCleaner.clean(leftover) { console.print(line) }
            removeIfUnrecorded(leftover)
        }
        return 0
    }

    /// Leftovers of recorded sessions and of `--no-record` ones, whose working folders are in `.unrecorded`.
    static func scan(_ root: URL, includeOwned: Bool = false) -> [LeftoverCleaner.Leftover] {
        LeftoverCleaner.scan(root, includeOwned: includeOwned) + LeftoverCleaner.scan(SessionOpening.unrecordedRoot(root), includeOwned: includeOwned)
    }

    /// At start-up: sessions whose bench was killed and left servers behind. At a terminal bench
    /// asks whether to stop them; otherwise it says how.
    public static func offerCleanup(root: URL, interactive: Bool, console: Console, ask: @Sendable () -> Bool) async {
        let leftovers = scan(root).filter { !$0.state.detached }
        guard !leftovers.isEmpty else { return }
        for leftover in leftovers {
            let servers = leftover.running.map { "\($0.handle) \($0.recipeName) pid \($0.pid.map(String.init) ?? "?")" }
                + leftover.auxiliary.keys.sorted().map { "\($0) (monitor)" }
            console.warning("session \(leftover.name) was left by a bench that is gone, with servers still running: \(servers.joined(separator: ", "))")
        }
        guard interactive else {
            console.info("stop them with: bench --cleanup (or keep them: bench --attach NAME)")
            return
        }
        guard ask() else { return }
        for leftover in leftovers {
            for line in await LeftoverCleaner.clean(leftover) { console.info(line) }
            removeIfUnrecorded(leftover)
        }
    }

    /// Whether a leftover is the working folder of a `--no-record` session.
    static func isUnrecorded(_ leftover: LeftoverCleaner.Leftover) -> Bool {
        leftover.stateURL.deletingLastPathComponent().deletingLastPathComponent().lastPathComponent == SessionOpening.unrecordedFolder
    }

    /// An unrecorded session's folder was only kept for its state; once its servers are stopped it goes,
    /// as it would have at a normal exit.
    static func removeIfUnrecorded(_ leftover: LeftoverCleaner.Leftover) {
        guard isUnrecorded(leftover) else { return }
        let folder = leftover.stateURL.deletingLastPathComponent()
        // Kept while anything of it still runs, so a later --cleanup can try again.
        guard !LeftoverCleaner.scan(folder.deletingLastPathComponent(), includeOwned: true).contains(where: { $0.name == leftover.name }) else { return }
        try? FileManager.default.removeItem(at: folder)
        rmdir(folder.deletingLastPathComponent().path)
    }
}
