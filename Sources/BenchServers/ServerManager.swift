import BenchCore
import BenchPlacement
import Foundation
import Synchronization

/// Starts, watches and stops the session's server instances through an orchestrator.
public actor ServerManager {
    /// What `server start` asks for.
    public struct StartRequest: Sendable {
        public var recipe: String
        public var count: Int
        public var alias: String?
        /// `--set KEY=VALUE`: values for the recipe's `{{set.KEY}}` placeholders.
        public var settings: [String: String]
        /// `--port NAME=NUMBER`: fixed numbers for named ports.
        public var ports: [String: Int]
        public var orchestrator: String
        public var wait: Bool
        /// `--partition`, `--time`, `--nodes` for SLURM jobs.
        public var placement: SlurmPlacement

        public init(recipe: String, count: Int = 1, alias: String? = nil, settings: [String: String] = [:], ports: [String: Int] = [:],
                    orchestrator: String = "local", wait: Bool = true, placement: SlurmPlacement = SlurmPlacement()) {
            self.placement = placement
            self.recipe = recipe
            self.count = count
            self.alias = alias
            self.settings = settings
            self.ports = ports
            self.orchestrator = orchestrator
            self.wait = wait
        }
    }

    public let session: Session
    /// `{{cache}}`: built binaries, models, virtual environments.
    public let cacheDirectory: String
    /// The address local services bind to and clients connect to.
    public let host = "127.0.0.1"
    let orchestrators: [String: any Orchestrator]
    var instances: [Handle: ServerInstance] = [:]
    var recipes: [Handle: ServerRecipe] = [:]
    /// The filled-in plan of each instance, for its exporter (started once it is ready) and restarts.
    var plans: [Handle: InstancePlan] = [:]
    /// Processes other managers run for the session (monitors), recorded in state.json for cleanup.
    var auxiliary: [Handle: [LaunchedProcess]] = [:]
    /// Where each instance's logs stood when it was (re)launched, so a `log` probe reads only the new output.
    var logOffsets: [Handle: (stdout: Int64, stderr: Int64)] = [:]
    var stopping: Set<Handle> = []
    var usedSlurm = false
    var detached = false
    var monitorTask: Task<Void, Never>?
    /// Live runtimes by the orchestrator that runs them, readable without the actor so a signal
    /// handler can stop them synchronously.
    nonisolated let liveRuntimes = Mutex<[Handle: (orchestrator: String, runtime: InstanceRuntime)]>([:])
    /// The SLURM orchestrator, where bench has one (client and monitor jobs use its settings and commands).
    public nonisolated let slurm: SlurmOrchestrator?

    public init(session: Session, cacheDirectory: String, local: LocalOrchestrator = LocalOrchestrator(), slurm: SlurmOrchestrator? = nil) {
        self.session = session
        self.cacheDirectory = cacheDirectory
        self.slurm = slurm
        let all: [any Orchestrator] = [local] + (slurm.map { [$0] } ?? [])
        self.orchestrators = Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0) })
    }

    /// Records a live runtime for the signal handler (`emergencyStopAll`), or forgets it.
    func setLiveRuntime(_ handle: Handle, _ runtime: InstanceRuntime?) {
        let name = instances[handle]?.orchestrator
        liveRuntimes.withLock { $0[handle] = runtime.flatMap { runtime in name.map { ($0, runtime) } } }
    }

    /// `$BENCH_CACHE`, else `~/.cache/bench` (where scripts/ put llama-server, models and venvs).
    public static func defaultCacheDirectory(environment: [String: String]) -> String {
        environment["BENCH_CACHE"] ?? ((environment["HOME"] ?? NSHomeDirectory()) + "/.cache/bench")
    }

    // MARK: Starting

    /// Starts `count` instances and (unless `wait` is false) waits until every one is ready.
    /// On any failure everything this call started is stopped and its handles are taken back.
    public func start(_ request: StartRequest, progress: @escaping @Sendable (String) -> Void) async throws -> [Handle] {
        let (orchestrator, loaded, recipe) = try prepare(request)
        try session.useRecipe(loaded)

        var allocated: [Handle] = []
        var launched: [Handle] = []
        var portsTaken = Set(instances.values.filter { $0.state.isLive }.flatMap { $0.endpoint.ports.values })
        do {
            for index in 0..<request.count {
                let alias = request.alias.map { request.count == 1 ? $0 : "\($0)-\(index + 1)" }
                let handle = try session.handles.allocate(.server, label: recipe.name, alias: alias)
                allocated.append(handle)
                let plan = try planner.plan(handle: handle, recipe: recipe, sha256: loaded.sha256, request: request,
                                        remote: orchestrator.decidesEndpointRemotely, portsTaken: &portsTaken)
                logOffsets[handle] = (LogTail.size(of: plan.stdoutPath) ?? 0, LogTail.size(of: plan.stderrPath) ?? 0)
                if orchestrator.decidesEndpointRemotely { noteSlurmUse() }
                let runtime: InstanceRuntime
                do {
                    runtime = try await orchestrator.launch(plan)
                } catch let error as BenchError where error.message.contains(cacheDirectory) {
                    throw BenchError(error.message + " (bench's cache \(cacheDirectory) is filled by scripts/install-test-deps.sh; see README)")
                }
                instances[handle] = ServerInstance(
                    handle: handle, alias: alias, recipeName: recipe.name, recipeSHA256: loaded.sha256, orchestrator: orchestrator.name,
                    endpoint: plan.endpoint, runtime: runtime, state: .starting, startedAt: Date(), readyAt: nil,
                    dataDirectory: plan.dataDirectory, logDirectory: plan.logDirectory, settings: recipe.settings.merging(request.settings) { $1 }, fixedPorts: request.ports, url: ServerPlanner.url(recipe, plan.endpoint))
                recipes[handle] = recipe
                plans[handle] = plan
                launched.append(handle)
                setLiveRuntime(handle, runtime)
                progress("\(handle) \(recipe.name): " + orchestrator.launchedLine(runtime, endpoint: plan.endpoint))
                // state.json is what finds this server again after a SIGKILLed bench: one it cannot
                // list there would run on unnoticed, so the start fails (and stops it) instead.
                do {
                    try persistOrThrow()
                } catch {
                    throw BenchError("\(handle) \(recipe.name): \(error); stopped it, as a server missing from state.json would outlive a killed bench unnoticed")
                }
                // Listed: from here a killed bench leaves it findable, so it may start.
                runtime.openLaunchGates()
            }
            startMonitoring()
            if request.wait {
                try await waitUntilReady(launched, timeout: nil, progress: progress)
            } else {
                Task { await self.becomeReadyInBackground(launched) }
            }
        } catch {
            await abandon(allocated, reason: "\(error)")
            session.handles.discard(allocated)
            persist()
            throw error
        }
        return launched
    }

    func prepare(_ request: StartRequest) throws -> (any Orchestrator, LoadedRecipe, ServerRecipe) {
        guard let orchestrator = orchestrators[request.orchestrator] else {
            let valid = orchestrators.keys.sorted().joined(separator: ", ")
            throw BenchError.usage("--on \(request.orchestrator): no such orchestrator here (valid: \(valid))")
        }
        let loaded: LoadedRecipe
        do {
            loaded = try session.catalog.load(.server, named: request.recipe)
        } catch let error as RecipeValidationError {
            throw BenchError("server recipe '\(request.recipe)' is invalid:\n\(error.description)")
        }
        guard case .server(let recipe) = loaded.recipe else { throw BenchError("'\(request.recipe)' is not a server recipe") }
        try planner.validate(request, recipe: recipe)
        if request.placement != SlurmPlacement() && !orchestrator.decidesEndpointRemotely {
            throw BenchError.usage("--partition, --time and --nodes are for SLURM jobs: add --on slurm")
        }
        return (orchestrator, loaded, recipe)
    }

    /// The batch scripts `start` would submit, without submitting them or taking handles (`--dry-run`).
    public func dryRun(_ request: StartRequest) throws -> [(handle: Handle, script: String, command: String)] {
        let (orchestrator, loaded, recipe) = try prepare(request)
        guard orchestrator.writesBatchScripts else {
            throw BenchError.usage("--dry-run shows the batch script of a SLURM job: add --on slurm")
        }
        var portsTaken = Set<Int>()
        var next = session.handles.counters[.server] ?? 0
        return try (0..<request.count).map { _ in
            next += 1
            let handle = Handle(kind: .server, number: next)
            // Planned as a job is: host and auto ports left to the node.
            let plan = try planner.plan(handle: handle, recipe: recipe, sha256: loaded.sha256, request: request, remote: true, portsTaken: &portsTaken)
            let (script, command) = try orchestrator.dryRun(plan)
            return (handle, script, command)
        }
    }

    /// The planner for this session's instances.
    var planner: ServerPlanner {
        ServerPlanner(host: host, cacheDirectory: cacheDirectory, sessionName: session.name, sessionDirectory: session.directory,
                      environment: session.environment)
    }

    // MARK: Queries

    public func instance(_ handle: Handle) -> ServerInstance? { instances[handle] }
    func orchestrator(named name: String) -> (any Orchestrator)? { orchestrators[name] }
    /// Whether the instance registers itself with the session's Prometheus (a job's file_sd file).
    public func registersScrapeTarget(_ handle: Handle) -> Bool {
        instances[handle].flatMap { orchestrators[$0.orchestrator] }?.registersScrapeTargets ?? false
    }
    public func recipe(for handle: Handle) -> ServerRecipe? { recipes[handle] }
    public var all: [ServerInstance] { instances.values.sorted { $0.handle < $1.handle } }
    public var hasLiveInstances: Bool { instances.values.contains { $0.state.isLive } }
    /// The handles of live instances, in order.
    public var liveHandles: [Handle] { instances.values.filter { $0.state.isLive }.map(\.handle).sorted() }

    /// The orchestrator's own lines for `server status HANDLE` (job id, state, node, time limit).
    public func details(_ handle: Handle) async -> [(String, String)] {
        guard let instance = instances[handle], let orchestrator = orchestrators[instance.orchestrator] else { return [] }
        return await orchestrator.details(instance.runtime)
    }

    /// CPU seconds and RSS of the instance's process tree right now.
    public func usage(_ handle: Handle) -> ResourceUsage? {
        guard let instance = instances[handle], instance.state.isLive else { return nil }
        return orchestrators[instance.orchestrator]?.usage(instance.runtime)
    }

    /// Runs the readiness probe now.
    public func health(_ handle: Handle) async throws -> ProbeResult {
        guard let instance = instances[handle], let recipe = recipes[handle] else { throw BenchError("\(handle): no such server instance") }
        guard instance.state.isLive else { return .notReady("\(instance.state)") }
        if let orchestrator = orchestrators[instance.orchestrator], let ended = orchestrator.poll(instance.runtime) {
            markEnded(handle, ended)
            await orchestrator.stopLeftovers(instance.runtime)
            return .notReady("\(ended)")
        }
        if instance.endpoint.host.isEmpty { return .notReady("the job has not reported its address yet") }
        guard let check = recipe.readiness?.check else { return .ready }
        return await ReadinessProber.probe(check, host: instance.endpoint.host, ports: instance.endpoint.ports,
                                           stdoutPath: instance.stdoutPath, stderrPath: instance.stderrPath,
                                           environment: session.environment, workingDirectory: instance.dataDirectory)
    }

}
