import BenchCore
import BenchPlacement
import Foundation

/// Waiting for instances to pass their readiness probes, in the foreground or behind the prompt.
extension ServerManager {
    /// Waits until every instance passes its readiness probe, probing them concurrently.
    public func waitUntilReady(_ handles: [Handle], timeout: BenchDuration?, progress: @escaping @Sendable (String) -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for handle in handles {
                group.addTask { try await self.waitUntilReady(handle, timeout: timeout, progress: progress) }
            }
            try await group.waitForAll()
        }
    }

    func waitUntilReady(_ handle: Handle, timeout: BenchDuration?, progress: @escaping @Sendable (String) -> Void) async throws {
        guard let recipe = recipes[handle], let first = instances[handle] else { throw BenchError("\(handle): unknown instance") }
        let spec = recipe.readiness
        let limit = timeout ?? spec?.timeout ?? BenchDuration(seconds: 30)
        // For jobs `started` moves to when the job reported its address; "ready in" counts from here, queue wait included.
        let waitStarted = ContinuousClock.now
        var started = waitStarted
        let limitDuration = Duration.milliseconds(Int64(limit.seconds * 1000))
        var deadline = started + limitDuration
        let interval = Duration.milliseconds(Int64((spec?.interval.seconds ?? 0.2) * 1000))
        guard let orchestrator = orchestrators[first.orchestrator] else { throw BenchError("\(handle): orchestrator '\(first.orchestrator)' is not available here") }
        var lastReason = "no probe ran"
        var lastWaiting = ""
        while true {
            try Task.checkCancellation()
            guard let instance = instances[handle] else { throw BenchError("\(handle): removed while waiting") }
            if instance.state == .ready { return }
            guard instance.state.isLive else {
                if case .failed(let reason, _) = instance.state { throw BenchError(reason) }
                throw BenchError("\(handle) \(instance.recipeName): \(instance.state) before it was ready\(logExcerpt(instance))")
            }
            if let ended = orchestrator.poll(instance.runtime) {
                markEnded(handle, ended)
                await orchestrator.stopLeftovers(instance.runtime)
                throw BenchError("\(handle) \(instance.recipeName): \(ended) before it was ready\(logExcerpt(instance))")
            }
            if instance.endpoint.host.isEmpty {
                // A job picks its host and ports where it runs: wait for it to say (queue waits do not count against the timeout).
                switch try await orchestrator.discover(instance.runtime) {
                case .found(let endpoint, let runtime):
                    // Stopped while SLURM was asked: the loop's next turn says so; its runtime is not live again.
                    guard instances[handle]?.state.isLive == true else { continue }
                    instances[handle]?.endpoint = endpoint
                    instances[handle]?.runtime = runtime
                    instances[handle]?.url = ServerPlanner.url(recipe, endpoint)
                    setLiveRuntime(handle, runtime)
                    persist()
                    progress("\(handle) \(recipe.name): " + orchestrator.foundLine(runtime, endpoint: endpoint))
                    started = ContinuousClock.now
                    deadline = started + limitDuration
                    continue
                case .waiting(let what, let queued):
                    if what != lastWaiting {
                        progress("\(handle) \(recipe.name): \(what)")
                        lastWaiting = what
                    }
                    if queued {
                        deadline = ContinuousClock.now + limitDuration
                    } else if ContinuousClock.now >= deadline {
                        let path = orchestrator.discoveryHint(instance.runtime, display: DisplayPath.of)
                        throw BenchError("\(handle) \(instance.recipeName): \(what), but it wrote no discovery file within \(limit)\(path)\(logExcerpt(instance))")
                    }
                    try await Task.sleep(for: max(interval, .milliseconds(500)))
                    continue
                }
            }
            let result: ProbeResult
            if let check = spec?.check {
                let offsets = logOffsets[handle] ?? (0, 0)
                result = await ReadinessProber.probe(check, host: instance.endpoint.host, ports: instance.endpoint.ports,
                                                     stdoutPath: instance.stdoutPath, stderrPath: instance.stderrPath,
                                                     stdoutOffset: offsets.stdout, stderrOffset: offsets.stderr,
                                                     environment: session.environment, workingDirectory: instance.dataDirectory)
            } else {
                // No probe in the recipe: alive a moment after launch counts as ready.
                result = ContinuousClock.now - started > .milliseconds(300) ? .ready : .notReady("process just started")
            }
            if result == .ready {
                guard instances[handle]?.state == .starting else { continue }
                instances[handle]?.state = .ready
                instances[handle]?.readyAt = Date()
                if let plan = plans[handle], plan.exporterArgv != nil {
                    let runtime = try await orchestrator.launchExporter(plan, runtime: instance.runtime)
                    if instances[handle]?.state.isLive == true {
                        instances[handle]?.runtime = runtime
                        setLiveRuntime(handle, runtime)
                    } else {
                        // Stopped while its exporter started: that stop could not see the exporter, so it goes now.
                        await orchestrator.stop(runtime, grace: .seconds(2))
                    }
                }
                persist()
                // The exporter starts once state.json lists it (a failed write was said as a notice).
                instances[handle]?.runtime.openLaunchGates()
                let waited = ContinuousClock.now - waitStarted
                let elapsed = Double(waited.components.seconds) + Double(waited.components.attoseconds) / 1e18
                let at = instance.url ?? instance.endpoint.address("main") ?? instance.endpoint.host
                progress(String(format: "%@ %@: ready in %.2fs at %@", handle.description, instance.recipeName, elapsed, at))
                return
            }
            if case .notReady(let reason) = result { lastReason = reason }
            if ContinuousClock.now >= deadline {
                let what = spec.map { "readiness \($0.check.type.rawValue)" } ?? "readiness"
                throw BenchError("\(handle) \(instance.recipeName): not ready after \(limit) (\(what): \(lastReason))\(logExcerpt(instance))")
            }
            try await Task.sleep(for: interval)
        }
    }

    /// `--no-wait`: readiness is still probed (and the exporter started) behind the prompt; the
    /// outcome is reported before the next command, and a failure stops the instance.
    func becomeReadyInBackground(_ handles: [Handle]) async {
        await withTaskGroup(of: Void.self) { group in
            for handle in handles {
                group.addTask {
                    do {
                        try await self.waitUntilReady([handle], timeout: nil) { self.session.notify($0) }
                    } catch {
                        await self.failInBackground(handle, reason: "\(error)")
                    }
                }
            }
        }
    }

    func failInBackground(_ handle: Handle, reason: String) async {
        guard let instance = instances[handle] else { return }
        if instance.state.isLive { await stopOne(handle, grace: .seconds(5)) }
        instances[handle]?.state = .failed(reason: reason, at: Date())
        persist()
        session.notify("\(handle) (\(instance.recipeName)) failed to become ready: \(reason)")
    }

    /// The last lines of an instance's logs, for errors.
    func logExcerpt(_ instance: ServerInstance, lines: Int = 8) -> String {
        var text = ""
        for path in [instance.stderrPath, instance.stdoutPath] {
            let tail = LogTail.lastLines(path: path, count: lines)
            guard !tail.isEmpty else { continue }
            text += "\n  last lines of \(DisplayPath.of(path)):\n" + tail.map { "    " + $0 }.joined(separator: "\n")
        }
        return text.isEmpty ? "\n  (its logs are empty: \(DisplayPath.of(instance.logDirectory)))" : text
    }
}
