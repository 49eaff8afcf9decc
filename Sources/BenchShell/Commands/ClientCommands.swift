import BenchClients
import BenchCore
import BenchServers
import Foundation

/// `client run|status|stop|wait` and `show`: load against a server handle or an address, results by run handle.
enum ClientCommands {
    static let all: [CommandSpec] = [run, sweep, status, stop, wait, show]

    /// The options of `client run`; `client sweep` shares all but `notInSweep`.
    private enum Run {
        static let recipe: ArgumentKey<String> = .one("RECIPE", "a client recipe (see 'client list')", completion: .recipes(.client))
        static let target: OptionKey<String?> = .string("target", "TARGET", "server handle, alias, URL or host:port", completion: .handles(.server))
        static let port: OptionKey<String?> = .string("port", "NAME", "which named port of the server (default: the recipe's target port)")
        static let duration: OptionKey<BenchDuration?> = .duration("duration", "DURATION", "measured duration, after warm-up (default: the recipe's)")
        static let requests: OptionKey<Int?> = .integer("requests", "N", "stop after N measured requests instead of a duration", min: 1)
        static let warmup: OptionKey<BenchDuration?> = .duration("warmup", "DURATION", "excluded from every statistic (default: the recipe's)")
        static let concurrency: OptionKey<Int?> = .integer("concurrency", "C", "connections (closed loop), initial pool (open loop)", min: 1)
        static let rate: OptionKey<Double?> = .number("rate", "R", "requests per second: open loop", min: 0.001)
        static let arrival: OptionKey<ArrivalProcess?> = .choice("arrival", "PROCESS", "open-loop arrivals")
        static let seed: OptionKey<Int?> = .integer("seed", "S", "seed for arrivals, keys and prompts (default: the recipe's; always recorded)", min: 0)
        static let set: OptionKey<[KeyValuePair]> = .pairs("set", "KEY=VALUE", "override a recipe parameter (e.g. path=/x, pipeline=16)")
        static let slo: OptionKey<String?> = .string("slo", "LIST", "goodput objectives, e.g. ttft=500ms,tpot=50ms,e2el=5s (default: the recipe's)")
        static let timeout: OptionKey<BenchDuration?> = .duration("timeout", "DURATION", "per-request timeout (default 10s; 5m for openai)")
        static let connectionsCap: OptionKey<Int> = .integer("connections-cap", "N", "open loop: most connections the pool may grow to", min: 1, default: 1000)
        static let threads: OptionKey<Int> = .integer("threads", "N", "event-loop threads of the load generator", min: 1, default: 1)
        static let quiet: OptionKey<Bool> = .flag("quiet", "no progress output")
        static let background: OptionKey<Bool> = .flag("background", "return at once; 'client wait rN' or 'client stop rN' later")
        static let on: OptionKey<WhereToRun?> = .choice("on", "WHERE", "where the load generator runs: local (default) or slurm (job steps)")
        static let nodes: OptionKey<Int?> = .integer("nodes", "N", "SLURM: nodes of the client job (load split between them)", min: 1)
        static let tasksPerNode: OptionKey<Int?> = .integer("tasks-per-node", "K", "SLURM: load generators per node", min: 1)
        static let partition: OptionKey<String?> = .string("partition", "NAME", "SLURM: partition of the client job")
        static let time: OptionKey<BenchDuration?> = .duration("time", "DURATION", "SLURM: time limit of the client job (default: the run's length plus 5m)")
        /// The options that only mean something with `--on slurm`.
        static let slurm = OptionGroup([nodes.spec, tasksPerNode.spec, partition.spec, time.spec])
        /// What a sweep does not take from `client run` (it has its own --concurrency and --rate lists).
        static let notInSweep = OptionGroup([concurrency.spec, rate.spec, background.spec, on.spec] + slurm.specs)
    }

    private enum Sweep {
        static let concurrency: OptionKey<String?> = .string("concurrency", "LIST", "connections per point, e.g. 1,2,4,8")
        static let rate: OptionKey<String?> = .string("rate", "LIST", "requests per second per point (open loop), e.g. 1,2,4")
        static let param: OptionKey<String?> = .string("param", "KEY=LIST", "a recipe parameter per point, as --set takes it, e.g. search_ef=16,32,64")
    }

    private enum RunHandle {
        static let run: ArgumentKey<String> = .one("RUN", "a run handle (r1)", type: .handle(.run), completion: .handles(.run))
        static let json: OptionKey<Bool> = .flag("json", "print runs/rN.json as written")
    }

    static let run = CommandSpec(
        ["client", "run"], area: .clients, abstract: "Run a client recipe against a server (handle rN); live progress, results in runs/rN.json",
        discussion: """
        --target takes a server handle (s1) or alias, a URL (http://host:port) or host:port for a service
        bench did not start. Without --target, the one running server of the recipe's target service is
        used. Closed loop by default (each connection sends when its last answer came); --rate R makes
        it open loop: sends follow a schedule (constant or Poisson from --seed) and latency is measured
        both from the actual send (service time) and from the scheduled send (response time, corrected
        for coordinated omission). Ctrl-C stops the run early and keeps what was measured.
        """,
        arguments: [Run.recipe.spec],
        options: [
            Run.target.spec, Run.port.spec, Run.duration.spec, Run.requests.spec, Run.warmup.spec, Run.concurrency.spec, Run.rate.spec,
            Run.arrival.spec, Run.seed.spec, Run.set.spec, Run.slo.spec, Run.timeout.spec, Run.connectionsCap.spec, Run.threads.spec,
            Run.quiet.spec, Run.background.spec, Run.on.spec,
        ] + Run.slurm.specs,
        examples: ["client run nginx-get --target s1 --duration 30s --concurrency 50",
                   "client run redis-get-set --target s1 --on slurm --nodes 2 --duration 30s",
                   "client run nginx-get --target s1 --rate 2000 --duration 20s",
                   "client run redis-get-set --target s2 --set pipeline=16",
                   "client run nginx-get --target http://10.0.0.5:8080 --requests 10000"],
        recording: .always
    ) { invocation, context in
        let recipeName = invocation[Run.recipe]
        let loaded: LoadedRecipe
        do {
            loaded = try context.session.catalog.load(.client, named: recipeName)
        } catch let error as RecipeValidationError {
            throw BenchError("client recipe '\(recipeName)' is invalid:\n\(error.description)")
        }
        guard case .client(let recipe) = loaded.recipe else { throw BenchError("'\(recipeName)' is not a client recipe") }
        var options = runOptions(invocation)
        options.concurrency = invocation[Run.concurrency]
        options.rate = invocation[Run.rate]
        options.background = invocation[Run.background]
        options.placement = invocation[Run.on].flatMap { ClientRunOptions.RunPlacement(rawValue: $0.rawValue) } ?? .local
        options.nodes = invocation[Run.nodes]
        options.tasksPerNode = invocation[Run.tasksPerNode]
        options.partition = invocation[Run.partition]
        options.timeLimit = invocation[Run.time]
        let target = try await resolveTarget(options, recipe: recipe, context: context)
        let request = try ClientRunPlanner.request(recipe: recipe, recipeSHA256: loaded.sha256, target: target, options: options,
                                                   concurrency: options.concurrency, rate: options.rate)
        // The seed is always recorded, so a replay sends the same schedule, keys and prompts.
        context.recordResolved("seed", String(request.seed))
        try context.session.useRecipe(loaded)

        if options.placement == .local, let option = Run.slurm.firstGiven(in: invocation) {
            throw BenchError.usage("client run: --\(option.name) is for client jobs on SLURM: add --on slurm")
        }
        if options.placement == .slurm {
            // The load generator runs on compute nodes as job steps; the parts' results are merged here.
            guard let slurm = context.servers.slurm else { throw BenchError("no SLURM orchestrator in this bench; use --on local") }
            let console = context.console
            let output = SlurmClientRun.Output(isInteractive: console.isInteractive, quiet: options.quiet,
                                               info: { console.info($0) }, progress: { console.progress($0) })
            let servers = context.servers
            let result = try await keepingUnsaved(context) {
                try await SlurmClientRun(slurm: slurm, session: context.session, clients: context.clients, output: output)
                    .run(request, options: options) { await servers.noteSlurmUse() }
            }
            if let handle = Handle(parsing: result.run) { context.produced(handle) }
            for line in RunSummaryRenderer.lines(result) { context.print(line) }
            try failIfRunFailed(result)
            return
        }
        let console = context.console
        let quiet = options.quiet || options.background
        let onTerminal = console.isInteractive
        let servers = context.servers
        let progress: @Sendable (String) -> Void = { line in
            guard !quiet else { return }
            if onTerminal { console.progress(line) } else { console.info(line) }
        }
        let targetAlive: @Sendable () async -> String? = {
            guard let handle = target.server else { return nil }
            guard let instance = await servers.instance(handle) else { return "\(handle) is gone" }
            return instance.state.isLive ? nil : "\(handle) (\(instance.recipeName)) \(instance.state)"
        }
        if options.background {
            let handle = try await context.clients.start(request, progress: progress, targetAlive: targetAlive)
            context.produced(handle)
            context.print("\(handle) running in the background; 'client wait \(handle)' shows its result, 'client stop \(handle)' ends it early")
            return
        }
        let result = try await keepingUnsaved(context) {
            defer { if onTerminal && !quiet { console.progress(nil) } }
            return try await context.clients.run(request, progress: progress, targetAlive: targetAlive)
        }
        if let handle = Handle(parsing: result.run) { context.produced(handle) }
        for line in RunSummaryRenderer.lines(result) { context.print(line) }
        try failIfRunFailed(result)
    }

    /// A run that measured nothing (every request failed) fails its command: exit 1 in batch, so a
    /// script never goes on as if a dead target had been measured. Its result file is kept.
    static func failIfRunFailed(_ result: RunResult) throws {
        guard result.status == .failed else { return }
        throw BenchError("\(result.run) failed: \(result.statusReason ?? "the client failed")")
    }

    static let sweep = CommandSpec(
        ["client", "sweep"], area: .clients, abstract: "Run a client at several concurrencies or rates, one run per point, and print one table",
        discussion: "Takes the options of 'client run'; --concurrency or --rate take a comma-separated list, --param KEY=LIST a list of one recipe parameter's values (each point runs with --set KEY=VALUE). Each point is a run of its own (rN, written to runs/rN.json); the sweep is recorded as one command. A chroma sweep shows recall beside the speed of each point.",
        arguments: run.arguments,
        options: Run.notInSweep.removing(from: run.options) + [Sweep.concurrency.spec, Sweep.rate.spec, Sweep.param.spec],
        examples: ["client sweep chat-short --target s1 --concurrency 1,2,4,8 --duration 30s",
                   "client sweep nginx-get --target s1 --rate 1000,5000,20000 --duration 10s",
                   "client sweep chroma-client --target s1 --param search_ef=10,20,40,80 --duration 10s"],
        recording: .always
    ) { invocation, context in
        func list(_ key: OptionKey<String?>) throws -> [Double]? {
            let name = key.name
            guard let text = invocation[key] else { return nil }
            let values = text.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
            guard !values.isEmpty, values.allSatisfy({ ($0 ?? 0) > 0 }) else {
                throw BenchError.usage("client sweep: --\(name) \(text): expected positive numbers separated by commas")
            }
            return values.map { $0! }
        }
        let concurrencies = try list(Sweep.concurrency)
        let rates = try list(Sweep.rate)
        var param: (key: String, values: [String])?
        if let text = invocation[Sweep.param] {
            let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
            let values = parts.count == 2 ? parts[1].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } : []
            guard parts.count == 2, !parts[0].isEmpty, !values.isEmpty, !values.contains("") else {
                throw BenchError.usage("client sweep: --param \(text): expected KEY=V1,V2,… (a recipe parameter and its values), e.g. search_ef=16,32,64")
            }
            param = (parts[0], values)
        }
        guard [concurrencies != nil, rates != nil, param != nil].filter({ $0 }).count == 1 else {
            throw BenchError.usage("client sweep: give one of --concurrency LIST, --rate LIST or --param KEY=LIST")
        }
        if let concurrencies, concurrencies.contains(where: { $0 != $0.rounded() }) {
            throw BenchError.usage("client sweep: --concurrency takes whole numbers")
        }
        let recipeName = invocation[Run.recipe]
        let loaded = try context.session.catalog.load(.client, named: recipeName)
        guard case .client(let recipe) = loaded.recipe else { throw BenchError("'\(recipeName)' is not a client recipe") }
        let options = runOptions(invocation)
        let target = try await resolveTarget(options, recipe: recipe, context: context)
        try context.session.useRecipe(loaded)
        typealias Point = (concurrency: Int?, rate: Double?, set: (key: String, value: String)?)
        let points: [Point] = concurrencies.map { $0.map { (Int($0), nil, nil) } } ?? rates.map { $0.map { (nil, $0, nil) } }
            ?? param!.values.map { (nil, nil, (param!.key, $0)) }
        var rows: [[String]] = []
        var failedPoint: RunResult?
        let sweepHeader = ["POINT", "RUN", "STATUS", "REQ/S", "P50 MS", "P99 MS", "ERRORS"]
            + (recipe.kind == .chroma ? ["RECALL", "RECALL P5", "RECALL MIN"] : ["OUT TOK/S", "MED TTFT MS", "MED TPOT MS", "GOODPUT/S"])
        let console = context.console
        let servers = context.servers
        for (concurrency, rate, set) in points {
            var pointOptions = options
            if let set { pointOptions.sets.append(set) }
            let request = try ClientRunPlanner.request(recipe: recipe, recipeSHA256: loaded.sha256, target: target, options: pointOptions,
                                                       concurrency: concurrency, rate: rate, closedLoop: concurrency != nil)
            if rows.isEmpty { context.recordResolved("seed", String(request.seed)) }
            let point = concurrency.map { "c=\($0)" } ?? rate.map { "rate=\($0.formatted())" } ?? set.map { "\($0.key)=\($0.value)" } ?? "-"
            let result: RunResult
            do {
                result = try await context.clients.run(request, progress: { line in
                    if !options.quiet { console.info(line) }
                }, targetAlive: {
                    guard let handle = target.server, let instance = await servers.instance(handle) else { return nil }
                    return instance.state.isLive ? nil : "\(handle) (\(instance.recipeName)) \(instance.state)"
                })
            } catch let unsaved as UnsavedRunResult {
                // The points so far, this one included, are shown before the error: nothing measured is lost.
                if let handle = Handle(parsing: unsaved.result.run) { context.produced(handle) }
                rows.append(sweepRow(unsaved.result, point: point, kind: recipe.kind))
                context.table(sweepHeader, rows)
                throw BenchError(unsaved.description)
            }
            if let handle = Handle(parsing: result.run) { context.produced(handle) }
            rows.append(sweepRow(result, point: point, kind: recipe.kind))
            if result.status != .completed {
                failedPoint = result
                break
            }
        }
        context.table(sweepHeader, rows)
        if let failedPoint { try failIfRunFailed(failedPoint) }
    }

    /// Runs `body`; a run that finished but could not be saved still prints its summary before the error.
    @MainActor
    private static func keepingUnsaved(_ context: CommandContext, _ body: @MainActor () async throws -> RunResult) async throws -> RunResult {
        do {
            return try await body()
        } catch let unsaved as UnsavedRunResult {
            if let handle = Handle(parsing: unsaved.result.run) { context.produced(handle) }
            for line in RunSummaryRenderer.lines(unsaved.result) { context.print(line) }
            throw BenchError(unsaved.description)
        }
    }

    private static func sweepRow(_ result: RunResult, point: String, kind: ClientKind) -> [String] {
        func metric(_ key: String, _ format: String) -> String {
            if case .number(let value)? = result.kindMetrics[key] { return String(format: format, value) }
            return "-"
        }
        // A vector search's points are read as speed against recall (a fast wrong answer is no win).
        let kindCells = kind == .chroma
            ? [metric("recall_mean", "%.4f"), metric("recall_p5", "%.2f"), metric("recall_min", "%.2f")]
            : [metric("output_throughput", "%.1f"), metric("median_ttft_ms", "%.1f"), metric("median_tpot_ms", "%.2f"),
               metric("request_goodput", "%.2f")]
        return [point, result.run, result.status.rawValue] + headline(result) + kindCells
    }

    /// REQ/S, P50 MS, P99 MS and ERRORS of a run, as `client status` and sweep tables show them.
    private static func headline(_ result: RunResult) -> [String] {
        [String(format: "%.1f", result.throughput.requestsPerSecond), String(format: "%.3f", result.latency.responseTime.p50),
         String(format: "%.3f", result.latency.responseTime.p99), String(result.counts.errorTotal)]
    }

    static let status = CommandSpec(
        ["client", "status"], area: .clients, abstract: "List the session's client runs with their status and headline numbers",
        examples: ["client status"]
    ) { _, context in
        let runs = await context.clients.runs
        guard !runs.isEmpty else {
            context.print("no client runs in this session (start one with 'client run RECIPE --target sN')")
            return
        }
        context.table(["RUN", "RECIPE", "TARGET", "STATUS", "REQ/S", "P50 MS", "P99 MS", "ERRORS"], runs.map { run in
            guard let result = run.result else { return [run.handle.description, run.recipe, run.target, "running", "-", "-", "-", "-"] }
            return [run.handle.description, run.recipe, run.target, result.status.rawValue] + headline(result)
        })
    }

    static let stop = CommandSpec(
        ["client", "stop"], area: .clients, abstract: "Stop a running client run early (it keeps what it measured)",
        arguments: [RunHandle.run.spec],
        examples: ["client stop r1"], recording: .always
    ) { invocation, context in
        let handle = try context.session.handles.resolve(invocation[RunHandle.run], as: .run)
        try await context.clients.stop(handle)
        context.print("stopping \(handle)")
    }

    static let wait = CommandSpec(
        ["client", "wait"], area: .clients, abstract: "Wait for a running client run to finish",
        arguments: [RunHandle.run.spec],
        examples: ["client wait r1"], recording: .always
    ) { invocation, context in
        let handle = try context.session.handles.resolve(invocation[RunHandle.run], as: .run)
        let result = try await keepingUnsaved(context) { try await context.clients.wait(handle) }
        for line in RunSummaryRenderer.lines(result) { context.print(line) }
        try failIfRunFailed(result)
    }

    static let show = CommandSpec(
        ["show"], area: .clients, abstract: "Show a run's results: a readable summary, or the result file with --json",
        arguments: [RunHandle.run.spec],
        options: [RunHandle.json.spec],
        examples: ["show r1", "show r1 --json"]
    ) { invocation, context in
        let handle = try context.session.handles.resolve(invocation[RunHandle.run], as: .run)
        let url = context.session.directory.appendingPathComponent("runs/\(handle).json")
        guard let data = FileManager.default.contents(atPath: url.path) else {
            // A run whose file could not be written (a full disk) is still in memory.
            if let record = await context.clients.runs.first(where: { $0.handle == handle }), let result = record.result {
                context.print(invocation[RunHandle.json] ? String(decoding: try result.jsonData(), as: UTF8.self)
                                                         : RunSummaryRenderer.lines(result).joined(separator: "\n"))
                if let saveError = record.saveError { context.console.warning("\(handle) was not saved: \(saveError)") }
                return
            }
            throw BenchError("\(handle): no result file yet (\(DisplayPath.of(url))); is it still running? ('client status')")
        }
        if invocation[RunHandle.json] {
            context.print(String(decoding: data, as: UTF8.self))
            return
        }
        let result = try RunResult.decode(from: data)
        for line in RunSummaryRenderer.lines(result) { context.print(line) }
    }

    /// The options `client run` and `client sweep` share, as typed values (each reads its own point options).
    private static func runOptions(_ invocation: Invocation) -> ClientRunOptions {
        var options = ClientRunOptions()
        options.target = invocation[Run.target]
        options.port = invocation[Run.port]
        options.duration = invocation[Run.duration]
        options.requests = invocation[Run.requests]
        options.warmup = invocation[Run.warmup]
        options.arrival = invocation[Run.arrival]
        options.seed = invocation[Run.seed].map(UInt64.init)  // the option declares min 0
        options.sets = invocation[Run.set].map { ($0.key, $0.value) }
        options.slo = invocation[Run.slo]
        options.timeout = invocation[Run.timeout]
        options.connectionCap = invocation[Run.connectionsCap]
        options.connectionCapGiven = invocation.wasGiven(Run.connectionsCap)
        options.threads = invocation[Run.threads]
        options.threadsGiven = invocation.wasGiven(Run.threads)
        options.quiet = invocation[Run.quiet]
        return options
    }

    /// `--target` against the session's servers as they are now.
    static func resolveTarget(_ options: ClientRunOptions, recipe: ClientRecipe, context: CommandContext) async throws -> ClientTargetSpec {
        let servers = await context.servers.all.map { instance in
            ClientTargetResolver.Server(handle: instance.handle, recipeName: instance.recipeName, state: instance.state,
                                        endpoint: instance.endpoint)
        }
        let target = try ClientTargetResolver.resolve(options.target, portName: options.port, recipe: recipe, servers: servers,
                                                      handles: context.session.handles)
        if let warning = ClientTargetResolver.serviceMismatch(target, recipe: recipe, servers: servers) { context.console.warning(warning) }
        return target
    }
}
