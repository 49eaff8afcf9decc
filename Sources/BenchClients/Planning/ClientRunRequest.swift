import BenchCore

/// A client recipe bound to a target, with the command line's overrides applied.
public struct ClientRunRequest: Sendable {
    public var recipe: ClientRecipe
    public var recipeSHA256: String
    public var target: ClientTargetSpec
    /// How the load engine drives the target (workload with overrides; host and port from `target`).
    public var plan: LoadPlan
    public var params: ClientParams
    /// Service-level objectives for goodput (the recipe's, or --slo).
    public var slo: SLOSpec
    /// The `--set key=value` pairs `params` applied, as given.
    public var overrides: [String: String]

    public init(recipe: ClientRecipe, recipeSHA256: String, target: ClientTargetSpec, plan: LoadPlan, params: ClientParams,
                slo: SLOSpec, overrides: [String: String] = [:]) throws {
        guard plan.duration != nil || plan.requests != nil else {
            throw BenchError.usage("client run: give --duration or --requests (the run needs an end)")
        }
        if let duration = plan.duration, duration <= 0, plan.requests == nil {
            throw BenchError.usage("client run: --duration must be more than 0 (or give --requests)")
        }
        if plan.mode == .open && plan.rate == nil {
            throw BenchError.usage("client run: an open-loop run needs --rate R (requests per second)")
        }
        if let problem = plan.problem { throw BenchError.usage("client run: \(problem)") }
        self.recipe = recipe
        self.recipeSHA256 = recipeSHA256
        self.target = target
        self.plan = plan
        self.params = params
        self.slo = slo
        self.overrides = overrides
    }

    public var seed: UInt64 { plan.seed }
}

extension ClientRunRequest {
    /// The recipe as a result records it: name, kind, hash and the `--set` overrides.
    var resultRecipe: RunResult.Recipe {
        RunResult.Recipe(name: recipe.name, kind: recipe.kind.rawValue, sha256: recipeSHA256, overrides: overrides)
    }

    /// The target as a result records it.
    var resultTarget: RunResult.Target {
        RunResult.Target(given: target.given, host: target.host, port: target.port, portName: target.portName)
    }

    /// The workload as a result records it; `connectionsCap` only where the load engine keeps a pool.
    func resultWorkload(withConnectionsCap: Bool = true) -> RunResult.Workload {
        RunResult.Workload(
            mode: plan.mode.rawValue, concurrency: plan.concurrency, rate: plan.rate,
            arrival: plan.mode == .open ? plan.arrival.rawValue : nil, duration: plan.duration, requests: plan.requests,
            warmup: plan.warmup, seed: plan.seed, connectionsCap: withConnectionsCap && plan.mode == .open ? plan.connectionCap : nil)
    }
}
