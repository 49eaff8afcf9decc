import BenchCore
import BenchPlacement
import Foundation

/// Stopping, restarting and abandoning instances; the signal handler's synchronous stop.
extension ServerManager {
    /// Stops instances: SIGTERM to each process group, SIGKILL after `grace`. Errors for unknown or already stopped ones, before stopping any.
    public func stop(_ handles: [Handle], grace: Duration) async throws {
        for handle in handles {
            guard let instance = instances[handle] else { throw BenchError("\(handle): no such server instance") }
            guard instance.state.isLive else {
                let when = instance.state.endedAt.map { " at " + ClockTime.string($0) } ?? ""
                throw BenchError("\(handle) (\(instance.recipeName)) is not running: \(instance.state)\(when)")
            }
        }
        for handle in handles { await stopOne(handle, grace: grace) }
    }

    func stopOne(_ handle: Handle, grace: Duration) async {
        guard let instance = instances[handle], instance.state.isLive else { return }
        stopping.insert(handle)
        await orchestrators[instance.orchestrator]?.stop(instance.runtime, grace: grace)
        stopping.remove(handle)
        instances[handle]?.state = .stopped(at: Date())
        setLiveRuntime(handle, nil)
        session.handles.setLive(handle, false)
        session.logEvent("server-stopped", ["handle": handle.description])
        persist()
    }

    /// Stops every live instance; returns the handles stopped.
    @discardableResult
    public func stopAll(grace: Duration) async -> [Handle] {
        let live = liveHandles
        for handle in live { await stopOne(handle, grace: grace) }
        return live
    }

    /// Stops and starts an instance again with the same handle, ports, settings and folders.
    public func restart(_ handle: Handle, progress: @escaping @Sendable (String) -> Void) async throws {
        guard let instance = instances[handle], let recipe = recipes[handle], let orchestrator = orchestrators[instance.orchestrator] else {
            throw BenchError("\(handle): no such server instance")
        }
        if instance.state.isLive { await stopOne(handle, grace: .seconds(10)) }
        let remote = orchestrator.decidesEndpointRemotely
        // A job picks its ports again where it lands; only the ports fixed with --port stay.
        let request = StartRequest(recipe: recipe.name, settings: instance.settings.filter { recipe.settings[$0.key] != nil },
                                   ports: remote ? instance.portsGiven : instance.endpoint.ports, orchestrator: instance.orchestrator,
                                   placement: plans[handle]?.placement ?? SlurmPlacement())
        var taken = Set<Int>()
        let plan = try planner.plan(handle: handle, recipe: recipe, sha256: instance.recipeSHA256, request: request, remote: remote, portsTaken: &taken,
                                restarting: true)
        if remote { instances[handle]?.endpoint = plan.endpoint }
        plans[handle] = plan
        logOffsets[handle] = (LogTail.size(of: plan.stdoutPath) ?? 0, LogTail.size(of: plan.stderrPath) ?? 0)
        let runtime = try await orchestrator.launch(plan)
        instances[handle]?.runtime = runtime
        instances[handle]?.state = .starting
        instances[handle]?.startedAt = Date()
        instances[handle]?.readyAt = nil
        setLiveRuntime(handle, runtime)
        session.handles.setLive(handle, true)
        persist()
        runtime.openLaunchGates()
        startMonitoring()
        progress("\(handle) \(recipe.name): restarted as " + orchestrator.identity(runtime))
        try await waitUntilReady([handle], timeout: nil, progress: progress)
    }

    /// Stops every live process group at once, synchronously: for SIGTERM/SIGHUP, when there is no time for the actor.
    public nonisolated func emergencyStopAll() {
        let live = Array(liveRuntimes.withLock { $0 }.values)
        for orchestrator in orchestrators.values {
            let mine = live.filter { $0.orchestrator == orchestrator.name }.map(\.runtime)
            if !mine.isEmpty { orchestrator.stopNow(mine) }
        }
    }


    /// Stops what a failed start launched and keeps its logs (and data) under `failed/`, so the
    /// handle's folders are free when the handle is given out again.
    func abandon(_ handles: [Handle], reason: String) async {
        for handle in handles {
            if let instance = instances[handle] {
                stopping.insert(handle)
                await orchestrators[instance.orchestrator]?.stop(instance.runtime, grace: .seconds(5))
                stopping.remove(handle)
            }
            setLiveRuntime(handle, nil)
            instances[handle] = nil
            recipes[handle] = nil
            plans[handle] = nil
            let fm = FileManager.default
            let folders = [("logs", "logs/\(handle)"), ("data", "data/\(handle)")].map { ($0.0, session.directory.appendingPathComponent($0.1)) }
                .filter { fm.fileExists(atPath: $0.1.path) }
            guard !folders.isEmpty else { continue }
            let stamp = ISO8601DateFormatter().string(from: Date()).replacingOccurrences(of: ":", with: "")
            var keep = session.directory.appendingPathComponent("failed/\(handle)-\(stamp)")
            var n = 2
            while fm.fileExists(atPath: keep.path) {
                keep = session.directory.appendingPathComponent("failed/\(handle)-\(stamp)-\(n)")
                n += 1
            }
            try? fm.createDirectory(at: keep, withIntermediateDirectories: true)
            for (name, folder) in folders { try? fm.moveItem(at: folder, to: keep.appendingPathComponent(name)) }
            session.logEvent("server-failed", ["handle": handle.description, "reason": reason, "kept": keep.path])
        }
    }
}
