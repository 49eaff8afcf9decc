import BenchCore

/// A client recipe bound to a target, with the command line's overrides applied.
public struct ClientRunRequest: Sendable {
    public var recipe: ClientRecipe
    public var recipeSHA256: String
    public var target: ClientTargetSpec
    public var mode: WorkloadMode
    public var concurrency: Int
    public var rate: Double?
    public var arrival: ArrivalProcess
    /// Measured seconds (after warm-up); nil with `requests`.
    public var duration: Double?
    public var requests: Int?
    public var warmup: Double
    public var seed: UInt64
    public var params: ClientParams
    public var requestTimeout: Double
    public var connectionCap: Int
    public var threads: Int

    public init(recipe: ClientRecipe, recipeSHA256: String, target: ClientTargetSpec, mode: WorkloadMode, concurrency: Int, rate: Double?,
                arrival: ArrivalProcess, duration: Double?, requests: Int?, warmup: Double, seed: UInt64, params: ClientParams,
                requestTimeout: Double, connectionCap: Int, threads: Int) throws {
        guard duration != nil || requests != nil else {
            throw BenchError.usage("client run: give --duration or --requests (the run needs an end)")
        }
        if let duration, duration <= 0, requests == nil {
            throw BenchError.usage("client run: --duration must be more than 0 (or give --requests)")
        }
        if mode == .open && rate == nil {
            throw BenchError.usage("client run: an open-loop run needs --rate R (requests per second)")
        }
        self.recipe = recipe
        self.recipeSHA256 = recipeSHA256
        self.target = target
        self.mode = mode
        self.concurrency = concurrency
        self.rate = rate
        self.arrival = arrival
        self.duration = duration
        self.requests = requests
        self.warmup = warmup
        self.seed = seed
        self.params = params
        self.requestTimeout = requestTimeout
        self.connectionCap = connectionCap
        self.threads = threads
    }
}
