import BenchCore

/// Turns a client recipe and the command line's options into a `ClientRunRequest`: the workload
/// with overrides, the open-file budget, the objectives and the parameters. Pure: no I/O.
public enum ClientRunPlanner {
    /// The recipe's workload and parameters with the command line's overrides.
    /// - Parameters:
    ///   - concurrency, rate: this run's point (a sweep's), else the options'.
    ///   - closedLoop: a concurrency sweep's points are closed loops at each concurrency.
    ///   - descriptorBudget: connections this process may open, and its open-file limit (nil: unknown).
    public static func request(recipe: ClientRecipe, recipeSHA256: String, target: ClientTargetSpec, options: ClientRunOptions,
                               concurrency: Int?, rate givenRate: Double?, closedLoop: Bool = false,
                               descriptorBudget: (connections: Int, limit: Int)? = DescriptorBudget.current) throws -> ClientRunRequest {
        let workload = recipe.workload
        let rate = givenRate ?? workload.rate
        // --rate makes a run open loop; --concurrency alone keeps the recipe's mode, except in a
        // concurrency sweep, whose points are closed loops at each concurrency.
        let mode: WorkloadMode = givenRate != nil ? .open : (closedLoop ? .closed : workload.mode)
        if mode == .closed, let arrival = options.arrival {
            // Accepted and recorded but without effect, it would describe a run that did not happen.
            throw BenchError.usage("client run: --arrival \(arrival.rawValue) shapes an open loop's schedule; give --rate R too (a closed loop sends as answers come)")
        }
        if options.duration != nil && options.requests != nil {
            throw BenchError.usage("client run: give --duration or --requests, not both (a run ends by time or by count)")
        }
        let requests = options.requests ?? (options.duration != nil ? nil : workload.requests)
        let duration = options.duration?.seconds ?? (requests == nil ? workload.duration.seconds : nil)
        let timeout = options.timeout?.seconds ?? (recipe.kind == .openai ? 300 : 10)
        var plan = LoadPlan(
            host: target.host, port: target.port, mode: mode, concurrency: concurrency ?? workload.concurrency,
            rate: rate, arrival: options.arrival ?? workload.arrival,
            duration: duration, requests: requests, warmup: options.warmup?.seconds ?? workload.warmup.seconds,
            seed: options.seed ?? workload.seed, connectionCap: options.connectionCap,
            requestTimeout: timeout, eventLoops: options.threads)
        try fitDescriptors(&plan, capGiven: options.connectionCapGiven, budget: descriptorBudget)
        let slo = try options.slo.map(parseSLO) ?? recipe.slo
        let sets = options.sets.map { ($0.key, $0.value) }
        return try ClientRunRequest(recipe: recipe, recipeSHA256: recipeSHA256, target: target, plan: plan,
                                    params: try ClientParamOverrides.apply(sets, to: recipe.params), slo: slo,
                                    overrides: Dictionary(sets, uniquingKeysWith: { $1 }))
    }

    /// Keeps a run's connections within the open-file limit: more would fail with EMFILE, and bench
    /// itself could then open nothing (its state file, the `/proc` entries it watches servers by).
    /// The open loop's default cap shrinks to fit; numbers the user gave are refused.
    public static func fitDescriptors(_ plan: inout LoadPlan, capGiven: Bool, budget: (connections: Int, limit: Int)?) throws {
        guard let (connections, limit) = budget else { return }
        func refuse(_ option: String, _ value: Int) -> BenchError {
            BenchError.usage("client run: \(option) \(value) needs \(value) connections, but this process may open \(limit) files "
                + "(ulimit -n) and keeps \(DescriptorBudget.reserve) for itself; use \(option) \(connections) or less, or raise the limit")
        }
        if plan.concurrency > connections { throw refuse("--concurrency", plan.concurrency) }
        guard plan.mode == .open, plan.connectionCap > connections else { return }
        if capGiven { throw refuse("--connections-cap", plan.connectionCap) }
        plan.connectionCap = connections
    }

    /// `ttft=500ms,tpot=50ms,e2el=5s,p99=20ms`: durations, as metrics.md names the objectives.
    public static func parseSLO(_ text: String) throws -> SLOSpec {
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
}
