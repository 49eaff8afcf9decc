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
    private let orchestrators: [String: any Orchestrator]
    var instances: [Handle: ServerInstance] = [:]
    var recipes: [Handle: ServerRecipe] = [:]
    /// The filled-in plan of each instance, for its exporter (started once it is ready) and restarts.
    private var plans: [Handle: InstancePlan] = [:]
    /// Processes other managers run for the session (monitors), recorded in state.json for cleanup.
    private var auxiliary: [Handle: [LaunchedProcess]] = [:]
    /// Where each instance's logs stood when it was (re)launched, so a `log` probe reads only the new output.
    private var logOffsets: [Handle: (stdout: Int64, stderr: Int64)] = [:]
    private var stopping: Set<Handle> = []
    var usedSlurm = false
    var detached = false
    private var monitorTask: Task<Void, Never>?
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
                let plan = try makePlan(handle: handle, recipe: recipe, sha256: loaded.sha256, request: request,
                                        remote: orchestrator.decidesEndpointRemotely, portsTaken: &portsTaken)
                logOffsets[handle] = (LogTail.size(of: plan.stdoutPath) ?? 0, LogTail.size(of: plan.stderrPath) ?? 0)
                if orchestrator.decidesEndpointRemotely { noteSlurmUse() }
                let runtime: InstanceRuntime
                do {
                    runtime = try await orchestrator.launch(plan)
                } catch let error as BenchError where error.message.contains(cacheDirectory) {
                    throw BenchError(error.message + " (bench's cache \(cacheDirectory) is filled by scripts/install-test-deps.sh; see README)")
                }
                var settings = recipe.settings.merging(request.settings) { $1 }
                for (name, number) in request.ports { settings["port.\(name)"] = String(number) }
                instances[handle] = ServerInstance(
                    handle: handle, alias: alias, recipeName: recipe.name, recipeSHA256: loaded.sha256, orchestrator: orchestrator.name,
                    endpoint: plan.endpoint, runtime: runtime, state: .starting, startedAt: Date(), readyAt: nil,
                    dataDirectory: plan.dataDirectory, logDirectory: plan.logDirectory, settings: settings, url: url(recipe, plan.endpoint))
                recipes[handle] = recipe
                plans[handle] = plan
                launched.append(handle)
                setLiveRuntime(handle, runtime)
                progress("\(handle) \(recipe.name): " + orchestrator.launchedLine(runtime, endpoint: plan.endpoint))
                persist()
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

    private func prepare(_ request: StartRequest) throws -> (any Orchestrator, LoadedRecipe, ServerRecipe) {
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
        try validate(request, recipe: recipe)
        if request.placement != SlurmPlacement() && !orchestrator.decidesEndpointRemotely {
            throw BenchError.usage("--partition, --time and --nodes are for SLURM jobs: add --on slurm")
        }
        return (orchestrator, loaded, recipe)
    }

    /// The batch scripts `start` would submit, without submitting them or taking handles (`--dry-run`).
    public func dryRun(_ request: StartRequest) throws -> [(handle: Handle, script: String, command: String)] {
        let (orchestrator, loaded, recipe) = try prepare(request)
        var portsTaken = Set<Int>()
        var next = session.handles.counters[.server] ?? 0
        return try (0..<request.count).map { _ in
            next += 1
            let handle = Handle(kind: .server, number: next)
            // Planned as a job is (host and auto ports left to the node); an orchestrator without
            // scripts refuses before anything is looked at.
            let plan = try makePlan(handle: handle, recipe: recipe, sha256: loaded.sha256, request: request, remote: true, portsTaken: &portsTaken)
            let (script, command) = try orchestrator.dryRun(plan)
            return (handle, script, command)
        }
    }

    private func validate(_ request: StartRequest, recipe: ServerRecipe) throws {
        guard request.count >= 1 else { throw BenchError.usage("--count must be at least 1") }
        for key in request.settings.keys.sorted() where recipe.settings[key] == nil {
            let known = recipe.settings.keys.sorted()
            let valid = known.isEmpty ? "it has no settings" : "its settings: \(known.joined(separator: ", "))"
            throw BenchError.usage("--set \(key): recipe '\(recipe.name)' has no setting '\(key)'\(Suggestions.didYouMean(key, in: known)) (\(valid))")
        }
        for name in request.ports.keys.sorted() where recipe.port(named: name) == nil {
            throw BenchError.usage("--port \(name): recipe '\(recipe.name)' has no port '\(name)'\(Suggestions.didYouMean(name, in: recipe.portNames)) (ports: \(recipe.portNames.joined(separator: ", ")))")
        }
        if request.count > 1 {
            let fixed = recipe.ports.filter { request.ports[$0.name] != nil || $0.value != .auto }.map(\.name)
            if !fixed.isEmpty {
                throw BenchError.usage("--count \(request.count): port \(fixed.joined(separator: ", ")) is fixed, so the instances would collide; use 'auto' ports for several instances")
            }
        }
    }

    /// Fills in ports and placeholders for one instance. `remote`: the host and auto ports are decided
    /// where the job runs, so they stay shell variables of the batch script (`SbatchQuoting.reference`).
    /// - Parameter restarting: the instance keeps its ports, so a taken one cannot be changed with `--port`.
    private func makePlan(handle: Handle, recipe: ServerRecipe, sha256: String, request: StartRequest, remote: Bool,
                          portsTaken: inout Set<Int>, restarting: Bool = false) throws -> InstancePlan {
        var ports: [String: Int] = [:]
        var nodeValues: [String: String] = [:]
        for port in recipe.ports {
            if let number = request.ports[port.name] ?? (port.value == .auto ? nil : { if case .fixed(let n) = port.value { return n }; return nil }()) {
                if remote {
                    ports[port.name] = number
                    continue
                }
                if portsTaken.contains(number) || PortAllocator.isInUse(host: host, port: number) {
                    let remedy = restarting
                        ? "a restart keeps \(handle)'s ports: free that one, or start a new instance with 'server start \(recipe.name) --port \(port.name)=N'"
                        : "pick another with --port \(port.name)=N"
                    throw BenchError("port \(port.name)=\(number) is already in use on \(host); \(remedy)")
                }
                ports[port.name] = number
            } else if remote {
                nodeValues["port.\(port.name)"] = SbatchQuoting.reference(SbatchQuoting.portVariable(port.name))
                continue
            } else {
                ports[port.name] = try PortAllocator.freePort(host: host, excluding: portsTaken)
            }
            portsTaken.insert(ports[port.name]!)
        }
        let dataDirectory = session.directory.appendingPathComponent("data/\(handle)").path
        let logDirectory = session.directory.appendingPathComponent("logs/\(handle)").path
        var values = ["host": remote ? SbatchQuoting.reference("BENCH_HOST") : host, "dir": dataDirectory, "cache": cacheDirectory,
                      "session": session.directory.path]
        for (name, number) in ports { values["port.\(name)"] = String(number) }
        values.merge(nodeValues) { $1 }
        for (key, value) in recipe.settings.merging(request.settings, uniquingKeysWith: { $1 }) { values["set.\(key)"] = value }
        func render(_ text: String) throws -> String { try RecipePlaceholders.render(text, values: values) }

        let argv: [String]
        switch recipe.service.program {
        case .command(let words): argv = try words.map(render)
        case .script(let body): argv = ["/bin/sh", "-c", try render(body)]
        }
        var environment = session.environment
        let overrides = try recipe.env.mapValues(render)
        environment.merge(overrides) { $1 }
        let exporter = try recipe.metrics?.exporter.map { try $0.command.map(render) }
        let exporterEnvironment = try (recipe.metrics?.exporter?.env ?? [:]).mapValues(render)
        let container = try recipe.container.map { ContainerSpec(image: try render($0.image), binds: try $0.binds.map(render), gpu: $0.gpu) }
        return InstancePlan(
            handle: handle, recipe: recipe, endpoint: Endpoint(host: remote ? "" : host, ports: ports), argv: argv, environment: environment,
            workingDirectory: try render(recipe.service.workdir), dataDirectory: dataDirectory, logDirectory: logDirectory,
            exporterArgv: exporter, exporterEnvironment: exporterEnvironment, environmentOverrides: overrides, container: container,
            sessionName: session.name, sessionDirectory: session.directory.path, recipeSHA256: sha256, placement: request.placement)
    }

    private func url(_ recipe: ServerRecipe, _ endpoint: Endpoint) -> String? {
        guard case .http(let port, _, _, _)? = recipe.readiness?.check, let address = endpoint.address(port) else { return nil }
        return "http://\(address)/"
    }

    // MARK: Readiness

    /// Waits until every instance passes its readiness probe, probing them concurrently.
    public func waitUntilReady(_ handles: [Handle], timeout: BenchDuration?, progress: @escaping @Sendable (String) -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for handle in handles {
                group.addTask { try await self.waitUntilReady(handle, timeout: timeout, progress: progress) }
            }
            try await group.waitForAll()
        }
    }

    private func waitUntilReady(_ handle: Handle, timeout: BenchDuration?, progress: @escaping @Sendable (String) -> Void) async throws {
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
                    instances[handle]?.endpoint = endpoint
                    instances[handle]?.runtime = runtime
                    instances[handle]?.url = url(recipe, endpoint)
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
                    instances[handle]?.runtime = runtime
                    setLiveRuntime(handle, runtime)
                }
                persist()
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
    private func becomeReadyInBackground(_ handles: [Handle]) async {
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

    private func failInBackground(_ handle: Handle, reason: String) async {
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

    /// Stops what a failed start launched and keeps its logs (and data) under `failed/`, so the
    /// handle's folders are free when the handle is given out again.
    private func abandon(_ handles: [Handle], reason: String) async {
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

    // MARK: Watching

    /// Polls live instances for deaths every 250 ms while any is live.
    func startMonitoring() {
        guard monitorTask == nil else { return }
        monitorTask = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(250))
                guard let self else { return }
                await self.checkForDeaths()
            }
        }
    }

    /// Notices instances that ended on their own: state, notice for the next prompt, exporter stopped.
    public func checkForDeaths() async {
        for (handle, instance) in instances where instance.state.isLive && !stopping.contains(handle) {
            guard let orchestrator = orchestrators[instance.orchestrator], let ended = orchestrator.poll(instance.runtime) else { continue }
            markEnded(handle, ended)
            let time = ClockTime.string(Date())
            session.notify("\(handle) (\(instance.recipeName)) \(ended) at \(time); see 'server logs \(handle) --stderr'")
            await orchestrator.stopLeftovers(instance.runtime)
        }
    }

    /// Records that an instance ended on its own.
    private func markEnded(_ handle: Handle, _ state: ServerState) {
        instances[handle]?.state = state
        setLiveRuntime(handle, nil)
        session.handles.setLive(handle, false)
        session.logEvent("server-ended", ["handle": handle.description, "state": state.description])
        persist()
    }

    // MARK: Stopping

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

    private func stopOne(_ handle: Handle, grace: Duration) async {
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
        let fixedPorts = instance.settings.filter { $0.key.hasPrefix("port.") }.reduce(into: [String: Int]()) { $0[String($1.key.dropFirst(5))] = Int($1.value) }
        let request = StartRequest(recipe: recipe.name, settings: instance.settings.filter { !$0.key.hasPrefix("port.") && recipe.settings[$0.key] != nil },
                                   ports: remote ? fixedPorts : instance.endpoint.ports, orchestrator: instance.orchestrator,
                                   placement: plans[handle]?.placement ?? SlurmPlacement())
        var taken = Set<Int>()
        let plan = try makePlan(handle: handle, recipe: recipe, sha256: instance.recipeSHA256, request: request, remote: remote, portsTaken: &taken,
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

    // MARK: Queries

    public func instance(_ handle: Handle) -> ServerInstance? { instances[handle] }
    func orchestrator(named name: String) -> (any Orchestrator)? { orchestrators[name] }
    /// What runs an instance, in one phrase ("pid 123", "job 45"), for `server list`.
    public func identity(_ handle: Handle) -> String? {
        guard let instance = instances[handle], let orchestrator = orchestrators[instance.orchestrator] else { return nil }
        return orchestrator.identity(instance.runtime)
    }
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

    // MARK: Persistence

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

    /// Writes `state.json` atomically (only once the session has servers).
    func persist() {
        guard !instances.isEmpty || !auxiliary.isEmpty || usedSlurm || FileManager.default.fileExists(atPath: SessionStateFile.url(for: session).path) else { return }
        let counters = Dictionary(uniqueKeysWithValues: session.handles.counters.map { ($0.key.rawValue, $0.value) })
        let file = SessionStateFile(
            session: session.name, ownerPid: getpid(), ownerStartTime: ProcessInspector.startTime(of: getpid()), detached: detached,
            updatedAt: Date(), handleCounters: counters, handles: session.handles.entries(), servers: all,
            auxiliary: auxiliary.isEmpty ? nil : Dictionary(uniqueKeysWithValues: auxiliary.map { ($0.key.description, $0.value) }),
            usedSlurm: usedSlurm ? true : nil)
        do {
            try file.write(to: SessionStateFile.url(for: session))
        } catch {
            session.notify("warning: could not write \(SessionStateFile.url(for: session).path): \(error)")
        }
    }
}

