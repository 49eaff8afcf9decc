import BenchCore

/// How hard and how long a load engine drives one endpoint.
public struct LoadPlan: Sendable {
    public var host: String
    public var port: Int
    public var mode: WorkloadMode
    /// Closed loop: connections. Open loop: connections opened at the start.
    public var concurrency: Int
    /// Open loop: requests per second.
    public var rate: Double?
    public var arrival: ArrivalProcess
    /// Measured seconds (warm-up comes on top).
    public var duration: Double?
    /// Stop after this many measured requests instead (whichever of duration and requests comes first).
    public var requests: Int?
    /// Seconds of load before measuring starts.
    public var warmup: Double
    /// Seeds arrivals and random choices (Redis and memcached keys), so a replay sends the same load.
    public var seed: UInt64
    /// Open loop: the pool grows up to this many connections while all are busy.
    public var connectionCap: Int
    /// Seconds a request may take (connecting included) before it fails as a timeout.
    public var requestTimeout: Double
    /// Event loop threads; connections and the schedule are shared out among them.
    public var eventLoops: Int

    public init(host: String, port: Int, mode: WorkloadMode = .closed, concurrency: Int = 10, rate: Double? = nil,
                arrival: ArrivalProcess = .constant, duration: Double? = 10, requests: Int? = nil, warmup: Double = 0,
                seed: UInt64 = 1, connectionCap: Int = 1000, requestTimeout: Double = 10, eventLoops: Int = 1) {
        self.host = host
        self.port = port
        self.mode = mode
        self.concurrency = concurrency
        self.rate = rate
        self.arrival = arrival
        self.duration = duration
        self.requests = requests
        self.warmup = warmup
        self.seed = seed
        self.connectionCap = connectionCap
        self.requestTimeout = requestTimeout
        self.eventLoops = eventLoops
    }

    /// What is wrong with the plan, or nil when it can run.
    public var problem: String? {
        if port <= 0 || port > 65535 { return "port \(port) is out of range" }
        if concurrency <= 0 { return "concurrency must be at least 1 (got \(concurrency))" }
        if eventLoops <= 0 { return "event loops must be at least 1 (got \(eventLoops))" }
        if duration == nil && requests == nil { return "give a duration or a request count" }
        if let duration, !(duration > 0 && duration.isFinite) { return "duration must be positive" }
        if let requests, requests <= 0 { return "requests must be at least 1 (got \(requests))" }
        if !(warmup >= 0 && warmup.isFinite) { return "warm-up must not be negative" }
        if !(requestTimeout > 0 && requestTimeout.isFinite) { return "the request timeout must be positive" }
        if mode == .open {
            guard let rate else { return "an open-loop run needs a rate" }
            if !(rate > 0 && rate.isFinite) { return "rate must be positive (got \(rate))" }
            if connectionCap < concurrency { return "the connection cap (\(connectionCap)) is below the concurrency (\(concurrency))" }
        }
        return nil
    }

    /// The open-loop schedule: the pacer named by `arrival` at `rate`, from `seed`.
    public var pacer: (any Pacer)? {
        guard mode == .open, let rate, rate > 0 else { return nil }
        switch arrival {
        case .constant: return ConstantPacer(rate: rate)
        case .poisson: return PoissonPacer(rate: rate, seed: seed)
        }
    }

    var arrivalPlan: ArrivalPlan? {
        guard mode == .open, let rate, rate > 0 else { return nil }
        switch arrival {
        case .constant: return .constant(ConstantPacer(rate: rate))
        case .poisson: return .poisson(PoissonPacer(rate: rate, seed: seed))
        }
    }
}

/// The protocol a load engine speaks, with its parameters.
public enum LoadProtocol: Sendable {
    /// `hostHeader` is sent as `Host` unless the params set one.
    case http(HTTPParams, hostHeader: String)
    case redis(RedisParams)
    /// memcached's text protocol (`MemcachedCodec`).
    case memcached(MemcachedParams)
    /// OpenAI-compatible streaming (`/v1/chat/completions`, `/v1/completions`), prepared by `OpenAIRunConfig.prepare`.
    case openai(OpenAIRunConfig)
    /// One phase of a chroma run (add batches or top-k queries), prepared by `ChromaRun`.
    case chroma(ChromaPhaseLoad)
}

/// Why a run could not start.
public enum LoadEngineError: Error, CustomStringConvertible, Equatable {
    case invalidPlan(String)
    case unresolvableHost(String, reason: String)
    case bodyFileUnreadable(path: String, reason: String)
    case alreadyRun

    public var description: String {
        switch self {
        case .invalidPlan(let problem): return "invalid load plan: \(problem)"
        case .unresolvableHost(let host, let reason): return "cannot resolve \(host): \(reason)"
        case .bodyFileUnreadable(let path, let reason): return "cannot read body file \(path): \(reason)"
        case .alreadyRun: return "a load engine runs once"
        }
    }
}
