import BenchCore
import BenchPlacement
import Foundation

/// `state.json`: what `--attach` and `--cleanup` read of a session that another bench left.
extension ServerManager: PlacementLedger {
    /// Leaves the servers running when bench exits (`detach`).
    public func detach() {
        detached = true
        monitorTask?.cancel()
        // Nothing for a signal handler to stop any more: the servers are meant to outlive bench.
        liveRuntimes.withLock { $0 = [:] }
        persist()
    }

    public var isDetached: Bool { detached }

    /// Records that the session submits SLURM jobs (clients, monitors), before it does, so `--cleanup`
    /// after a SIGKILL asks the queue for them.
    public func noteSlurmUse() {
        guard !usedSlurm else { return }
        usedSlurm = true
        persist()
    }

    /// Records (or, with an empty list, forgets) processes a monitor runs, so `--cleanup` stops them
    /// after a SIGKILLed bench as it stops servers.
    public func recordAuxiliary(_ handle: Handle, _ processes: [LaunchedProcess]) {
        auxiliary[handle] = processes.isEmpty ? nil : processes
        persist()
    }

    /// Writes `state.json` atomically (only once the session has servers); a failure becomes a notice.
    func persist() {
        do {
            try persistOrThrow()
        } catch {
            session.notify("warning: could not update the session's state: \(error)")
        }
    }

    /// Writes `state.json` atomically (only once the session has servers), or says why it could not.
    func persistOrThrow() throws {
        guard !instances.isEmpty || !auxiliary.isEmpty || usedSlurm || FileManager.default.fileExists(atPath: SessionStateFile.url(for: session).path) else { return }
        let counters = Dictionary(uniqueKeysWithValues: session.handles.counters.map { ($0.key.rawValue, $0.value) })
        let file = SessionStateFile(
            session: session.name, ownerPid: getpid(), ownerStartTime: ProcessInspector.startTime(of: getpid()), detached: detached,
            updatedAt: Date(), handleCounters: counters, handles: session.handles.entries(), servers: all,
            auxiliary: auxiliary.isEmpty ? nil : Dictionary(uniqueKeysWithValues: auxiliary.map { ($0.key.description, $0.value) }),
            usedSlurm: usedSlurm ? true : nil)
        try file.write(to: SessionStateFile.url(for: session))
    }
}
