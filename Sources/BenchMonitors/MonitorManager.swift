import BenchCore
import BenchPlacement
import Foundation
import Synchronization

/// The session's monitors by handle (m1, …): deploys them, attaches servers, queries and exports;
/// watches that they still run (`+Watch`), starts them again (`+Restart`), and says in each run's
/// result how much of it they saw (`+RunSection`).
public actor MonitorManager {
    /// One monitor of the session.
    public struct Entry: Sendable {
        public let handle: Handle
        public let recipe: String
        public let monitor: any Monitor
        public let directory: String
        public var attached: [Handle: MonitorTarget]
        public var state: MonitorState
        /// When it last started (`monitor start` or `restart`): a watch result from an earlier life is stale.
        public var startedAt: Date
        /// When it saw nothing: deaths, hangs, stops, restarts. Run sections measure their windows against these.
        public var outages: [MonitorOutage] = []
    }

    public let session: Session
    var entries: [Handle: Entry] = [:]
    /// Monitors being stopped or restarted: the watch leaves them alone (their processes end on purpose).
    var busy: Set<Handle> = []
    /// Probes in a row each monitor did not answer, and when the first of them began.
    var failedProbes: [Handle: (count: Int, since: Date)] = [:]
    var watchTask: Task<Void, Never>?
    var probeTask: Task<Void, Never>?
    /// Process groups of running Prometheus deployments, for a signal handler to stop synchronously.
    nonisolated let liveGroups = Mutex<[Handle: [Int32]]>([:])
    /// Prometheus jobs, for a signal handler to cancel synchronously.
    nonisolated let liveJobs = Mutex<[Handle: (SlurmOrchestrator, String)]>([:])

    /// Where monitor processes and jobs are recorded for cleanup after a SIGKILL (the session's state.json).
    let ledger: (any PlacementLedger)?

    public init(session: Session, ledger: (any PlacementLedger)? = nil) {
        self.session = session
        self.ledger = ledger
    }

    public var all: [Entry] { entries.values.sorted { $0.handle < $1.handle } }

    /// Deploys a monitor from its recipe. A `prometheus` recipe where Prometheus is not installed
    /// fails with a pointer to the built-in sampler.
    public func start(recipeName: String, orSampler: Bool = false, onSlurm: Bool = false, placement: SlurmPlacement = SlurmPlacement(),
                      notice: @escaping @Sendable (String) -> Void = { _ in }) async throws -> Handle {
        let loaded: LoadedRecipe
        do {
            loaded = try session.catalog.load(.monitor, named: recipeName)
        } catch let error as RecipeValidationError {
            throw BenchError("monitor recipe '\(recipeName)' is invalid:\n\(error.description)")
        }
        guard case .monitor(var recipe) = loaded.recipe else { throw BenchError("'\(recipeName)' is not a monitor recipe") }
        if onSlurm {
            guard recipe.type == .prometheus else { throw BenchError.usage("monitor start \(recipeName) --on slurm: only Prometheus runs as a job (the sampler reads this machine's /proc)") }
            guard let slurm = ledger?.slurm else { throw BenchError("no SLURM orchestrator in this bench; use --on local") }
            try slurm.control.checkAvailable()
            return try await deploy(recipe, loaded: loaded, slurm: slurm, placement: placement, notice: notice)
        } else if placement != SlurmPlacement() {
            throw BenchError.usage("monitor start: --partition and --time are for a Prometheus job: add --on slurm")
        }
        let binary = recipe.prometheus?.binary ?? "prometheus"
        if recipe.type == .prometheus, (try? ExecutableResolver.resolve(binary, environment: session.environment,
                                                                        workingDirectory: FileManager.default.currentDirectoryPath)) == nil {
            if orSampler {
                // Same scrape interval, the sampler's own queries: Prometheus' PromQL is not available without it.
                notice("'\(binary)' is not installed here: starting the built-in sampler instead")
                recipe = MonitorRecipe(name: recipe.name, description: recipe.description, type: .sampler, interval: recipe.interval,
                                       prometheus: nil, exporters: [], queries: [])
                return try await deploy(recipe, loaded: loaded)
            }
            throw BenchError("monitor start \(recipeName): '\(binary)' is not installed here; use 'monitor start sampler' (the built-in sampler), or install Prometheus (scripts/install-test-deps.sh)")
        }
        return try await deploy(recipe, loaded: loaded)
    }

    private func deploy(_ recipe: MonitorRecipe, loaded: LoadedRecipe, slurm: SlurmOrchestrator? = nil, placement: SlurmPlacement = SlurmPlacement(),
                        notice: @escaping @Sendable (String) -> Void = { _ in }) async throws -> Handle {
        try session.useRecipe(loaded)
        let handle = try session.handles.allocate(.monitor, label: recipe.name)
        let directory = session.directory.appendingPathComponent("monitors/\(handle)").path
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let monitor: any Monitor
            if recipe.type == .prometheus {
                var configuration = PrometheusDeployment.Configuration(recipe: recipe, directory: directory)
                // SLURM server jobs of this session register themselves here (see SbatchRenderer).
                configuration.extraTargetFiles = [session.directory.appendingPathComponent("slurm/targets").path + "/*.json"]
                configuration.progress = notice
                if let slurm {
                    await ledger?.noteSlurmUse()
                    configuration.job = PrometheusJob(orchestrator: slurm, name: SlurmOrchestrator.jobName(session: session.name, handle: handle),
                                                      placement: placement)
                }
                monitor = PrometheusMonitor(deployment: PrometheusDeployment(configuration), queries: recipe.queries)
            } else {
                monitor = BuiltinSampler(recipe: recipe)
            }
            try await monitor.start()
            await register(handle, monitor)
            entries[handle] = Entry(handle: handle, recipe: recipe.name, monitor: monitor, directory: directory, attached: [:],
                                    state: .live, startedAt: Date())
            startWatching()
            return handle
        } catch {
            liveJobs.withLock { $0[handle] = nil }
            session.handles.discard([handle])
            throw error
        }
    }

    /// Records what a (re)started monitor runs: for the signal handler, and in state.json for `--cleanup`.
    func register(_ handle: Handle, _ monitor: any Monitor) async {
        guard let prometheus = monitor as? PrometheusMonitor else { return }
        if let job = prometheus.deployment.configuration.job, let id = await prometheus.deployment.jobId {
            liveJobs.withLock { $0[handle] = (job.orchestrator, id) }
        }
        let processes = await prometheus.deployment.processes
        liveGroups.withLock { $0[handle] = processes.map(\.processGroup) }
        await ledger?.recordAuxiliary(handle, processes)
    }

    /// Forgets what a stopped monitor ran.
    func unregister(_ handle: Handle) async {
        liveGroups.withLock { $0[handle] = nil }
        liveJobs.withLock { $0[handle] = nil }
        await ledger?.recordAuxiliary(handle, [])
    }

    /// A monitor that can be queried, or an error saying why not and what brings it back.
    private func entry(_ handle: Handle) throws -> Entry {
        guard let entry = entries[handle] else { throw BenchError("\(handle): no such monitor") }
        switch entry.state {
        case .stopped:
            throw BenchError("\(handle) (\(entry.recipe)) is stopped; 'monitor restart \(handle)' starts it again")
        case .died(let ending) where ending.endsMonitor:
            throw BenchError("\(handle) (\(entry.recipe)) is not running: \(ending); 'monitor restart \(handle)' starts it again, keeping its data")
        default:
            return entry
        }
    }

    /// Starts scraping a server: its metrics endpoint or the exporter beside it (a file_sd target; no reload).
    public func attach(_ handle: Handle, server: AttachableServer) async throws {
        let current = try entry(handle)
        guard server.state.isLive else { throw BenchError("monitor attach: \(server.handle) (\(server.recipeName)) is not running: \(server.state)") }
        guard let metrics = server.metrics else {
            throw BenchError("monitor attach: \(server.handle) (\(server.recipeName)) exposes no Prometheus metrics (its recipe has no 'metrics' section)")
        }
        let target = MonitorTarget(server: server, metricsPort: metrics.port, metricsPath: metrics.path, session: session.name)
        if server.registersScrapeTarget {
            // A SLURM job registers itself for every Prometheus of the session (its file_sd file in
            // slurm/targets/): attaching only marks it for this monitor's run summaries.
            guard current.monitor is PrometheusMonitor else {
                throw BenchError("monitor attach: \(server.handle) runs as a SLURM job; the built-in sampler only sees this machine (use a Prometheus monitor)")
            }
        } else {
            try await current.monitor.attach(target)
        }
        entries[handle]?.attached[server.handle] = target
    }

    /// Waits (boundedly) until the monitor has sampled the given attached servers once.
    public func settle(_ handle: Handle, servers: [Handle]) async {
        guard let entry = entries[handle], entry.state.canQuery else { return }
        await entry.monitor.settle(servers.compactMap { entry.attached[$0] })
    }

    public func detach(_ handle: Handle, server: Handle) async throws {
        let current = try entry(handle)
        guard current.attached[server] != nil else {
            throw BenchError("monitor detach: \(server) is not attached to \(handle) (attached: \(current.attached.keys.sorted().map(\.description).joined(separator: ", ")))")
        }
        try await current.monitor.detach(name: server.description)
        entries[handle]?.attached[server] = nil
    }

    /// An instant query (or a range query when `range` is given) on a Prometheus monitor.
    public func query(_ handle: Handle, promql: String, range: Double?, step: Double?) async throws -> [MetricSeries] {
        let current = try entry(handle)
        if let prometheus = current.monitor as? PrometheusMonitor {
            guard let client = await prometheus.deployment.client else { throw BenchError("\(handle): prometheus is not running") }
            if let range {
                let end = Date()
                return try await client.queryRange(promql, start: end.addingTimeInterval(-range), end: end, step: step ?? current.monitor.interval.seconds)
            }
            return try await client.query(promql).series
        }
        let end = Date()
        let results = await current.monitor.rangeQueries([NamedQuery(name: "query", promql: promql)],
                                                         window: TimeWindow(start: end.addingTimeInterval(-(range ?? 60)), end: end))
        if let error = results.first?.error { throw BenchError(error) }
        let series = results.first?.series ?? []
        return range == nil ? series.map { MetricSeries(labels: $0.labels, values: $0.values.suffix(1)) } : series
    }

    /// Scrape targets with their health, from Prometheus or the sampler.
    public func targets(_ handle: Handle) async throws -> [ScrapeTarget] {
        let current = try entry(handle)
        if let prometheus = current.monitor as? PrometheusMonitor {
            guard let client = await prometheus.deployment.client else { throw BenchError("\(handle): prometheus is not running") }
            return try await client.targets()
        }
        if let sampler = current.monitor as? BuiltinSampler { return await sampler.targetStatus() }
        return []
    }

    /// Where a monitor's log is: Prometheus' own, or with `exporter` its node exporter's. Readable
    /// whatever the monitor's state: a dead one's log says why it died.
    public func logPath(_ handle: Handle, exporter: Bool) throws -> String {
        guard let current = entries[handle] else { throw BenchError("\(handle): no such monitor") }
        guard let deployment = (current.monitor as? PrometheusMonitor)?.deployment else {
            throw BenchError("\(handle) is the built-in sampler, which runs inside bench and keeps no log; 'monitor targets \(handle)' shows its scrapes")
        }
        guard exporter else { return deployment.logPath }
        guard deployment.configuration.nodeExporterBinary != nil else {
            throw BenchError("\(handle) runs no node exporter (its recipe '\(current.recipe)' lists no 'node' under exporters)")
        }
        return deployment.nodeExporterLogPath
    }

    public func export(_ handle: Handle, window: TimeWindow, extra: [NamedQuery], format: MonitorExportFormat, to path: String) async throws {
        try await entry(handle).monitor.export(window: window, extra: extra, format: format, to: path)
    }

    /// Stops a monitor (what is left of one that died) and returns its state before, so the caller
    /// can say whether it was running. Errors for a monitor already stopped.
    @discardableResult
    public func stop(_ handle: Handle) async throws -> MonitorState {
        guard let current = entries[handle] else { throw BenchError("\(handle): no such monitor") }
        guard current.state.hasProcesses else {
            throw BenchError("\(handle) (\(current.recipe)) is already \(current.state); 'monitor restart \(handle)' starts it again")
        }
        busy.insert(handle)
        await current.monitor.stop()
        busy.remove(handle)
        await unregister(handle)
        let now = Date()
        if current.state.canQuery {
            // From here a run sees nothing of it; a dead one's outage already runs.
            entries[handle]?.outages.append(MonitorOutage(cause: "stopped at \(ClockTime.string(now))", from: now))
        }
        entries[handle]?.state = .stopped(at: now)
        failedProbes[handle] = nil
        session.handles.setLive(handle, false)
        session.logEvent("monitor-stopped", ["handle": handle.description])
        return current.state
    }

    /// Stops every running Prometheus at once, blocking: for SIGTERM/SIGHUP, when there is no time for the actor.
    public nonisolated func emergencyStopAll() {
        for (slurm, id) in liveJobs.withLock({ Array($0.values) }) { slurm.control.cancelNow([id]) }
        ProcessGroupSignaller.terminateNow(liveGroups.withLock { $0.values.flatMap { $0 } }, grace: .seconds(3))
    }

    /// Stops every monitor that has processes left (bench is leaving) and returns each one's state
    /// before: the caller says "stopped" only of those that were running, and that the others had died.
    @discardableResult
    public func stopAll() async -> [(handle: Handle, before: MonitorState)] {
        // A death in the last quarter second is still a death, not something bench stopped.
        await checkForDeaths()
        var stopped: [(handle: Handle, before: MonitorState)] = []
        for entry in all where entry.state.hasProcesses {
            if let before = try? await stop(entry.handle) { stopped.append((entry.handle, before)) }
        }
        return stopped
    }
}
