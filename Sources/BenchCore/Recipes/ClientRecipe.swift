/// A load generator: what protocol it speaks, what it targets, how hard and how long it pushes.
public struct ClientRecipe: Sendable, Equatable {
    public let name: String
    public let description: String
    public let kind: ClientKind
    /// The server recipe this client is written for; nil only for `exec` clients that target nothing.
    public let target: ClientTarget?
    public let workload: WorkloadSpec
    public let params: ClientParams
    public let slo: SLOSpec

    public init(name: String, description: String = "", kind: ClientKind, target: ClientTarget?,
                workload: WorkloadSpec = WorkloadSpec(), params: ClientParams, slo: SLOSpec = SLOSpec()) {
        self.name = name
        self.description = description
        self.kind = kind
        self.target = target
        self.workload = workload
        self.params = params
        self.slo = slo
    }
}

/// The protocols bench's load generators speak.
public enum ClientKind: String, CaseIterable, Sendable {
    case http, openai, redis, memcached, chroma, exec
}

/// The service (server recipe name) and the named port a client sends to.
public struct ClientTarget: Sendable, Equatable {
    public let service: String
    /// Default `main`.
    public let port: String

    public init(service: String, port: String = "main") {
        self.service = service
        self.port = port
    }
}

/// Closed loop (fixed concurrency) or open loop (fixed arrival rate).
public enum WorkloadMode: String, CaseIterable, Sendable {
    case closed, open
}

/// The gaps between arrivals in open loop.
public enum ArrivalProcess: String, CaseIterable, Sendable {
    case constant, poisson
}

/// How much load, for how long.
public struct WorkloadSpec: Sendable, Equatable {
    public let mode: WorkloadMode
    /// Connections (closed loop) or the cap on requests in flight (open loop). Default 10.
    public let concurrency: Int
    /// Requests per second; required in open loop.
    public let rate: Double?
    public let arrival: ArrivalProcess
    /// Measured duration. Default 10s.
    public let duration: BenchDuration
    /// Stop after this many requests (whichever of duration and requests comes first).
    public let requests: Int?
    /// Load sent before measuring starts; not counted. Default 0s.
    public let warmup: BenchDuration
    /// Seed for every random choice (arrivals, keys, prompts). Default 1.
    public let seed: UInt64

    public init(mode: WorkloadMode = .closed, concurrency: Int = 10, rate: Double? = nil,
                arrival: ArrivalProcess = .constant, duration: BenchDuration = BenchDuration(seconds: 10),
                requests: Int? = nil, warmup: BenchDuration = BenchDuration(seconds: 0), seed: UInt64 = 1) {
        self.mode = mode
        self.concurrency = concurrency
        self.rate = rate
        self.arrival = arrival
        self.duration = duration
        self.requests = requests
        self.warmup = warmup
        self.seed = seed
    }
}

/// Kind-specific parameters of a client.
public enum ClientParams: Sendable, Equatable {
    case http(HTTPParams)
    case openai(OpenAIParams)
    case redis(RedisParams)
    case memcached(MemcachedParams)
    case chroma(ChromaParams)
    case exec(ExecParams)

    /// The pipeline depths a recipe or `--set pipeline=` may ask for, one bound for every kind that pipelines
    /// (redis, memcached).
    public static let pipelineDepths = 1...1024
}

/// One HTTP request, repeated.
public struct HTTPParams: Sendable, Equatable {
    public let method: String
    public let path: String
    public let headers: [String: String]
    public let body: String?
    /// A file whose contents are the body (relative to the recipe's directory).
    public let bodyFile: String?
    /// A response with another status counts as an error. Default 200.
    public let expectStatus: Int

    public init(method: String = "GET", path: String = "/", headers: [String: String] = [:],
                body: String? = nil, bodyFile: String? = nil, expectStatus: Int = 200) {
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body
        self.bodyFile = bodyFile
        self.expectStatus = expectStatus
    }
}

/// Which commands a redis (or memcached) client sends.
public enum RedisCommandMix: String, CaseIterable, Sendable {
    case get, set, mixed
}

/// SET:GET proportion of a `mixed` redis or memcached workload (memtier's `--ratio`).
public struct RedisRatio: Sendable, Equatable, CustomStringConvertible {
    public let sets: Int
    public let gets: Int

    public init(sets: Int, gets: Int) {
        self.sets = sets
        self.gets = gets
    }

    public var description: String { "\(sets):\(gets)" }
}

public struct RedisParams: Sendable, Equatable {
    public let command: RedisCommandMix
    /// Default 1:10.
    public let ratio: RedisRatio
    /// Keys are drawn from `key:0 … key:(keyspace-1)`. Default 10000.
    public let keyspace: Int
    /// Size of each SET value. Default 64 bytes.
    public let valueSize: ByteSize
    /// Commands written per round trip on one connection (bounds: `ClientParams.pipelineDepths`). Default 1.
    public let pipeline: Int

    public init(command: RedisCommandMix = .get, ratio: RedisRatio = RedisRatio(sets: 1, gets: 10),
                keyspace: Int = 10_000, valueSize: ByteSize = ByteSize(bytes: 64), pipeline: Int = 1) {
        self.command = command
        self.ratio = ratio
        self.keyspace = keyspace
        self.valueSize = valueSize
        self.pipeline = pipeline
    }
}

/// The OpenAI-compatible API an openai client calls.
public enum OpenAIEndpoint: String, CaseIterable, Sendable {
    /// `/v1/completions`
    case completions
    /// `/v1/chat/completions`
    case chat
}

/// Where prompts come from (vLLM `bench serve`'s dataset names).
public enum OpenAIDataset: String, CaseIterable, Sendable {
    case random, file, sharegpt
}

public struct OpenAIParams: Sendable, Equatable {
    public let endpoint: OpenAIEndpoint
    /// The `model` field of each request; nil asks the server for its first model.
    public let model: String?
    public let maxTokens: Int
    public let temperature: Double
    public let ignoreEOS: Bool
    public let dataset: OpenAIDataset
    /// Prompt length in tokens (random dataset). Default 128.
    public let inputLen: Int
    /// Output length in tokens (random dataset). Default 64.
    public let outputLen: Int
    /// Lengths vary uniformly within ±range_ratio of input_len/output_len. Default 0.
    public let rangeRatio: Double
    /// The prompts file for `file` (one prompt per line) and `sharegpt` (JSON) datasets.
    public let datasetPath: String?
    /// The environment variable holding the API key, if the server needs one.
    public let apiKeyEnv: String?

    public init(endpoint: OpenAIEndpoint = .chat, model: String? = nil, maxTokens: Int = 64,
                temperature: Double = 0, ignoreEOS: Bool = false, dataset: OpenAIDataset = .random,
                inputLen: Int = 128, outputLen: Int = 64, rangeRatio: Double = 0,
                datasetPath: String? = nil, apiKeyEnv: String? = nil) {
        self.endpoint = endpoint
        self.model = model
        self.maxTokens = maxTokens
        self.temperature = temperature
        self.ignoreEOS = ignoreEOS
        self.dataset = dataset
        self.inputLen = inputLen
        self.outputLen = outputLen
        self.rangeRatio = rangeRatio
        self.datasetPath = datasetPath
        self.apiKeyEnv = apiKeyEnv
    }
}


/// Service-level objectives; a request that meets every given one counts towards goodput.
public struct SLOSpec: Sendable, Equatable {
    public let ttftMs: Double?
    public let tpotMs: Double?
    /// End-to-end latency (`e2e_ms`, or vLLM's spelling `e2el_ms`).
    public let e2elMs: Double?
    /// The run's p99 response time must stay under this.
    public let p99Ms: Double?

    public init(ttftMs: Double? = nil, tpotMs: Double? = nil, e2elMs: Double? = nil, p99Ms: Double? = nil) {
        self.ttftMs = ttftMs
        self.tpotMs = tpotMs
        self.e2elMs = e2elMs
        self.p99Ms = p99Ms
    }

    public var isEmpty: Bool { ttftMs == nil && tpotMs == nil && e2elMs == nil && p99Ms == nil }
}
