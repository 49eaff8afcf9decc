import BenchClients
import BenchCore
import BenchServers
import Foundation

/// `client run|status|stop|wait` and `show`: load against a server handle or an address, results by run handle.
enum ClientCommands {
    static let all: [CommandSpec] = [run, sweep, status, stop, wait, show]

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
        arguments: [ArgumentSpec("RECIPE", "a client recipe (see 'client list')", completion: .recipes(.client))],
        options: [
            .value("target", "TARGET", "server handle, alias, URL or host:port", completion: .handles(.server)),
            .value("port", "NAME", "which named port of the server (default: the recipe's target port)"),
            .value("duration", "DURATION", "measured duration, after warm-up (default: the recipe's)", type: .duration),
            .value("requests", "N", "stop after N measured requests instead of a duration", type: .integer(min: 1)),
            .value("warmup", "DURATION", "excluded from every statistic (default: the recipe's)", type: .duration),
            .value("concurrency", "C", "connections (closed loop), initial pool (open loop)", type: .integer(min: 1)),
            .value("rate", "R", "requests per second: open loop", type: .number(min: 0.001)),
            .value("arrival", "PROCESS", "open-loop arrivals", type: .choice(["constant", "poisson"])),
            .value("seed", "S", "seed for arrivals, keys and prompts (default: the recipe's; always recorded)", type: .integer(min: 0)),
            .value("set", "KEY=VALUE", "override a recipe parameter (e.g. path=/x, pipeline=16)", type: .keyValue, repeatable: true),
            .value("slo", "LIST", "goodput objectives, e.g. ttft=500ms,tpot=50ms,e2el=5s (default: the recipe's)"),
            .value("timeout", "DURATION", "per-request timeout (default 10s; 5m for openai)", type: .duration),
            .value("connections-cap", "N", "open loop: most connections the pool may grow to", type: .integer(min: 1), default: "1000"),
            .value("threads", "N", "event-loop threads of the load generator", type: .integer(min: 1), default: "1"),
            .flag("quiet", "no progress output"),
            .flag("background", "return at once; 'client wait rN' or 'client stop rN' later"),
            .value("on", "WHERE", "where the load generator runs: local (default) or slurm (job steps)", type: .choice(["local", "slurm"])),
            .value("nodes", "N", "SLURM: nodes of the client job (load split between them)", type: .integer(min: 1)),
            .value("tasks-per-node", "K", "SLURM: load generators per node", type: .integer(min: 1)),
            .value("partition", "NAME", "SLURM: partition of the client job"),
            .value("time", "DURATION", "SLURM: time limit of the client job (default: the run's length plus 5m)", type: .duration),
        ],
        examples: ["client run nginx-get --target s1 --duration 30s --concurrency 50",
                   "client run redis-get-set --target s1 --on slurm --nodes 2 --duration 30s",
                   "client run nginx-get --target s1 --rate 2000 --duration 20s",
                   "client run redis-get-set --target s2 --set pipeline=16",
                   "client run nginx-get --target http://10.0.0.5:8080 --requests 10000"],
        recording: .always
    ) { invocation, context in
        let recipeName = invocation.argument("RECIPE")!
        let loaded: LoadedRecipe
        do {
            loaded = try context.session.catalog.load(.client, named: recipeName)
        } catch let error as RecipeValidationError {
            throw BenchError("client recipe '\(recipeName)' is invalid:\n\(error.description)")
        }
        guard case .client(let recipe) = loaded.recipe else { throw BenchError("'\(recipeName)' is not a client recipe") }
        let target = try await resolveTarget(invocation.option("target"), portName: invocation.option("port"), recipe: recipe, context: context)
        let request = try makeRequest(recipe: recipe, loaded: loaded, target: target, invocation: invocation,
                                      concurrency: invocation.integer("concurrency"), rate: invocation.option("rate").flatMap(Double.init))
        // The seed is always recorded, so a replay sends the same schedule, keys and prompts.
        context.recordResolved("seed", String(request.seed))
        try context.session.useRecipe(loaded)

        let onSlurm = invocation.option("on") == "slurm"
        if !onSlurm, let name = ["nodes", "tasks-per-node", "partition", "time"].first(where: invocation.wasGiven) {
            throw BenchError.usage("client run: --\(name) is for client jobs on SLURM: add --on slurm")
        }
        if onSlurm {
            // The load generator runs on compute nodes as job steps; the parts' results are merged here.
            let result = try await runOnSlurm(invocation, request: request, context: context)
            if let handle = Handle(parsing: result.run) { context.produced(handle) }
            for line in RunSummaryRenderer.lines(result) { context.print(line) }
            return
        }
        let console = context.console
        let quiet = invocation.flag("quiet") || invocation.flag("background")
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
        if invocation.flag("background") {
            let handle = try await context.clients.start(request, progress: progress, targetAlive: targetAlive)
            context.produced(handle)
            context.print("\(handle) running in the background; 'client wait \(handle)' shows its result, 'client stop \(handle)' ends it early")
            return
        }
        let result = try await context.clients.run(request, progress: progress, targetAlive: targetAlive)
        if onTerminal && !quiet { console.progress(nil) }
        if let handle = Handle(parsing: result.run) { context.produced(handle) }
        for line in RunSummaryRenderer.lines(result) { context.print(line) }
    }

    static let sweep = CommandSpec(
        ["client", "sweep"], area: .clients, abstract: "Run a client at several concurrencies or rates, one run per point, and print one table",
        discussion: "Takes the options of 'client run'; --concurrency or --rate take a comma-separated list. Each point is a run of its own (rN, written to runs/rN.json); the sweep is recorded as one command.",
        arguments: run.arguments,
        options: run.options.filter { !["concurrency", "rate", "background", "on", "nodes", "tasks-per-node", "partition", "time"].contains($0.name) } + [
            .value("concurrency", "LIST", "connections per point, e.g. 1,2,4,8"),
            .value("rate", "LIST", "requests per second per point (open loop), e.g. 1,2,4"),
        ],
        examples: ["client sweep chat-short --target s1 --concurrency 1,2,4,8 --duration 30s",
                   "client sweep nginx-get --target s1 --rate 1000,5000,20000 --duration 10s"],
        recording: .always
    ) { invocation, context in
        func list(_ name: String) throws -> [Double]? {
            guard let text = invocation.option(name) else { return nil }
            let values = text.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
            guard !values.isEmpty, values.allSatisfy({ ($0 ?? 0) > 0 }) else {
                throw BenchError.usage("client sweep: --\(name) \(text): expected positive numbers separated by commas")
            }
            return values.map { $0! }
        }
        let concurrencies = try list("concurrency")
        let rates = try list("rate")
        guard (concurrencies == nil) != (rates == nil) else {
            throw BenchError.usage("client sweep: give one of --concurrency LIST or --rate LIST")
        }
        if let concurrencies, concurrencies.contains(where: { $0 != $0.rounded() }) {
            throw BenchError.usage("client sweep: --concurrency takes whole numbers")
        }
        let recipeName = invocation.argument("RECIPE")!
        let loaded = try context.session.catalog.load(.client, named: recipeName)
        guard case .client(let recipe) = loaded.recipe else { throw BenchError("'\(recipeName)' is not a client recipe") }
        let target = try await resolveTarget(invocation.option("target"), portName: invocation.option("port"), recipe: recipe, context: context)
        try context.session.useRecipe(loaded)
        let points = concurrencies.map { $0.map { (Int($0), nil as Double?) } } ?? rates!.map { (nil as Int?, $0 as Double?) }
        var rows: [[String]] = []
        let console = context.console
        let servers = context.servers
        for (concurrency, rate) in points {
            let request = try makeRequest(recipe: recipe, loaded: loaded, target: target, invocation: invocation,
                                          concurrency: concurrency, rate: rate, closedLoop: concurrency != nil)
            if rows.isEmpty { context.recordResolved("seed", String(request.seed)) }
            let result = try await context.clients.run(request, progress: { line in
                if !invocation.flag("quiet") { console.info(line) }
            }, targetAlive: {
                guard let handle = target.server, let instance = await servers.instance(handle) else { return nil }
                return instance.state.isLive ? nil : "\(handle) (\(instance.recipeName)) \(instance.state)"
            })
            if let handle = Handle(parsing: result.run) { context.produced(handle) }
            rows.append(sweepRow(result, point: concurrency.map { "c=\($0)" } ?? "rate=\(rate!.formatted())"))
            if result.status != .completed { break }
        }
        context.table(["POINT", "RUN", "STATUS", "REQ/S", "P50 MS", "P99 MS", "ERRORS", "OUT TOK/S", "MED TTFT MS", "MED TPOT MS", "GOODPUT/S"], rows)
    }

    private static func sweepRow(_ result: RunResult, point: String) -> [String] {
        func metric(_ key: String, _ format: String) -> String {
            if case .number(let value)? = result.kindMetrics[key] { return String(format: format, value) }
            return "-"
        }
        return [point, result.run, result.status.rawValue] + headline(result)
            + [metric("output_throughput", "%.1f"), metric("median_ttft_ms", "%.1f"), metric("median_tpot_ms", "%.2f"),
               metric("request_goodput", "%.2f")]
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
        arguments: [ArgumentSpec("RUN", "a run handle (r1)", type: .handle(.run), completion: .handles(.run))],
        examples: ["client stop r1"], recording: .always
    ) { invocation, context in
        let handle = try context.session.handles.resolve(invocation.argument("RUN")!, as: .run)
        try await context.clients.stop(handle)
        context.print("stopping \(handle)")
    }

    static let wait = CommandSpec(
        ["client", "wait"], area: .clients, abstract: "Wait for a running client run to finish",
        arguments: [ArgumentSpec("RUN", "a run handle (r1)", type: .handle(.run), completion: .handles(.run))],
        examples: ["client wait r1"], recording: .always
    ) { invocation, context in
        let handle = try context.session.handles.resolve(invocation.argument("RUN")!, as: .run)
        let result = try await context.clients.wait(handle)
        for line in RunSummaryRenderer.lines(result) { context.print(line) }
    }

    static let show = CommandSpec(
        ["show"], area: .clients, abstract: "Show a run's results: a readable summary, or the result file with --json",
        arguments: [ArgumentSpec("RUN", "a run handle (r1)", type: .handle(.run), completion: .handles(.run))],
        options: [.flag("json", "print runs/rN.json as written")],
        examples: ["show r1", "show r1 --json"]
    ) { invocation, context in
        let handle = try context.session.handles.resolve(invocation.argument("RUN")!, as: .run)
        let url = context.session.directory.appendingPathComponent("runs/\(handle).json")
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw BenchError("\(handle): no result file yet (\(RecipeCommands.displayPath(url))); is it still running? ('client status')")
        }
        if invocation.flag("json") {
            context.print(String(decoding: data, as: UTF8.self))
            return
        }
        let result = try RunResult.decode(from: data)
        for line in RunSummaryRenderer.lines(result) { context.print(line) }
    }

    /// The recipe's workload and parameters with the command line's overrides.
    static func makeRequest(recipe: ClientRecipe, loaded: LoadedRecipe, target: ClientTargetSpec, invocation: Invocation,
                            concurrency: Int?, rate givenRate: Double?, closedLoop: Bool = false) throws -> ClientRunRequest {
        let workload = recipe.workload
        let rate = givenRate ?? workload.rate
        // --rate makes a run open loop; --concurrency alone keeps the recipe's mode, except in a
        // concurrency sweep, whose points are closed loops at each concurrency.
        let mode: WorkloadMode = givenRate != nil ? .open : (closedLoop ? .closed : workload.mode)
        if mode == .closed, let arrival = invocation.option("arrival") {
            // Accepted and recorded but without effect, it would describe a run that did not happen.
            throw BenchError.usage("client run: --arrival \(arrival) shapes an open loop's schedule; give --rate R too (a closed loop sends as answers come)")
        }
        if invocation.wasGiven("duration") && invocation.wasGiven("requests") {
            throw BenchError.usage("client run: give --duration or --requests, not both (a run ends by time or by count)")
        }
        let requests = invocation.integer("requests") ?? (invocation.wasGiven("duration") ? nil : workload.requests)
        let duration = invocation.duration("duration")?.seconds ?? (requests == nil ? workload.duration.seconds : nil)
        let sets = invocation.keyValuePairs("set").map { ($0.key, $0.value) }
        let timeout = invocation.duration("timeout")?.seconds ?? (recipe.kind == .openai ? 300 : 10)
        var plan = LoadPlan(
            host: target.host, port: target.port, mode: mode, concurrency: concurrency ?? workload.concurrency,
            rate: rate, arrival: invocation.option("arrival").flatMap(ArrivalProcess.init(rawValue:)) ?? workload.arrival,
            duration: duration, requests: requests, warmup: invocation.duration("warmup")?.seconds ?? workload.warmup.seconds,
            seed: UInt64(invocation.integer("seed") ?? workload.seed), connectionCap: invocation.integer("connections-cap")!,
            requestTimeout: timeout, eventLoops: invocation.integer("threads")!)
        try fitDescriptors(&plan, capGiven: invocation.wasGiven("connections-cap"))
        let slo = try invocation.option("slo").map(parseSLO) ?? recipe.slo
        return try ClientRunRequest(recipe: recipe, recipeSHA256: loaded.sha256, target: target, plan: plan,
                                    params: try ClientParamOverrides.apply(sets, to: recipe.params), slo: slo,
                                    overrides: Dictionary(sets, uniquingKeysWith: { $1 }))
    }

    /// Keeps a run's connections within the open-file limit: more would fail with EMFILE, and bench
    /// itself could then open nothing (its state file, the `/proc` entries it watches servers by).
    /// The open loop's default cap shrinks to fit; numbers the user gave are refused.
    static func fitDescriptors(_ plan: inout LoadPlan, capGiven: Bool) throws {
        guard let budget = DescriptorBudget.connections, let limit = DescriptorBudget.limit else { return }
        func refuse(_ option: String, _ value: Int) -> BenchError {
            BenchError.usage("client run: \(option) \(value) needs \(value) connections, but this process may open \(limit) files "
                + "(ulimit -n) and keeps \(DescriptorBudget.reserve) for itself; use \(option) \(budget) or less, or raise the limit")
        }
        if plan.concurrency > budget { throw refuse("--concurrency", plan.concurrency) }
        guard plan.mode == .open, plan.connectionCap > budget else { return }
        if capGiven { throw refuse("--connections-cap", plan.connectionCap) }
        plan.connectionCap = budget
    }

    /// `ttft=500ms,tpot=50ms,e2el=5s,p99=20ms`: durations, as metrics.md names the objectives.
    static func parseSLO(_ text: String) throws -> SLOSpec {
        var ttft: Double?, tpot: Double?, e2el: Double?, p99: Double?
        for item in text.split(separator: ",") {
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, let d = BenchDuration(parsing: parts[1]), d.seconds > 0 else {
                throw BenchError.usage("client run: --slo \(item): expected NAME=DURATION (ttft, tpot, e2el, p99), e.g. ttft=500ms")
            }
            let ms = d.seconds * 1000
            switch parts[0] {
            case "ttft": ttft = ms
            case "tpot": tpot = ms
            case "e2el", "e2e": e2el = ms
            case "p99": p99 = ms
            default:
                throw BenchError.usage("client run: --slo \(parts[0]): no such objective\(Suggestions.didYouMean(parts[0], in: ["ttft", "tpot", "e2el", "p99"])) (ttft, tpot, e2el, p99)")
            }
        }
        return SLOSpec(ttftMs: ttft, tpotMs: tpot, e2elMs: e2el, p99Ms: p99)
    }

    /// A handle or alias of a ready server, a URL, or host:port; or the one live server of the recipe's service.
    static func resolveTarget(_ given: String?, portName: String?, recipe: ClientRecipe, context: CommandContext) async throws -> ClientTargetSpec {
        let wantedPort = portName ?? recipe.target?.port ?? "main"
        guard let given else {
            let service = recipe.target?.service
            let candidates = await context.servers.all.filter { $0.state.isLive && (service == nil || $0.recipeName == service) }
            guard candidates.count == 1, let only = candidates.first else {
                let what = service.map { "a running '\($0)' server" } ?? "a running server"
                let list = candidates.map(\.handle.description).joined(separator: ", ")
                throw BenchError.usage("client run: --target is needed: \(candidates.isEmpty ? "there is no \(what)" : "several match (\(list))"); give a server handle, a URL or host:port")
            }
            return try await serverTarget(only.handle, portName: wantedPort, given: only.handle.description, context: context)
        }
        if let handle = try? context.session.handles.resolve(given, as: .server) {
            return try await serverTarget(handle, portName: wantedPort, given: given, context: context)
        }
        if Handle(parsing: given)?.kind == .server || (!given.contains(":") && !given.contains(".")) {
            // Looks like a handle or an alias: say which exist.
            do {
                _ = try context.session.handles.resolve(given, as: .server)
            } catch let error as BenchError {
                throw BenchError("client run: --target \(given): \(error.message)", kind: error.kind)
            }
        }
        let address: ClientTargetSpec
        do {
            address = try ClientTargetSpec(address: given)
        } catch let error as BenchError {
            throw BenchError("client run: \(error.message)", kind: error.kind)
        }
        try checkAddress(address, against: recipe)
        return address
    }

    /// A URL's scheme and path must agree with the recipe, which says what is sent; the address only
    /// says where. (Ignored quietly, `http://host/status` would have measured the recipe's path.)
    static func checkAddress(_ address: ClientTargetSpec, against recipe: ClientRecipe) throws {
        guard let scheme = address.scheme else { return }
        let given = address.given
        let speaks = switch recipe.kind {
        case .http, .openai, .chroma: "http"
        case .redis: "redis"
        case .exec: scheme
        }
        if scheme != "tcp" && scheme != speaks {
            throw BenchError.usage("client run: --target \(given): a \(scheme) address, but recipe '\(recipe.name)' is of kind \(recipe.kind.rawValue); "
                + "give \(speaks)://host:port or host:port")
        }
        let path = address.path
        if !path.isEmpty && path != "/" {
            let how = recipe.kind == .http ? " and --set path=\(path)" : ""
            throw BenchError.usage("client run: --target \(given): the request path comes from recipe '\(recipe.name)', not from the address; "
                + "give \(given.dropLast(path.count))\(how)")
        }
    }

    private static func serverTarget(_ handle: Handle, portName: String, given: String, context: CommandContext) async throws -> ClientTargetSpec {
        guard let instance = await context.servers.instance(handle) else { throw BenchError("\(handle): no such server instance") }
        guard instance.state == .ready else {
            throw BenchError("client run: target \(handle) (\(instance.recipeName)) is not ready: \(instance.state)\(instance.state == .starting ? "; 'wait \(handle)' first" : "")")
        }
        guard let port = instance.endpoint.ports[portName] else {
            let names = instance.endpoint.ports.keys.sorted()
            throw BenchError.usage("client run: --port \(portName): server \(handle) (\(instance.recipeName)) has no port '\(portName)'\(Suggestions.didYouMean(portName, in: names)) (ports: \(names.joined(separator: ", ")))")
        }
        return ClientTargetSpec(given: given, host: instance.endpoint.host, port: port, portName: portName, server: handle)
    }
}
