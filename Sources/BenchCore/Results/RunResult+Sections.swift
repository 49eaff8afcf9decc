import Foundation

extension RunResult {
    /// The client recipe a run used.
    public struct Recipe: Sendable, Codable, Equatable {
        public var name: String
        /// The client kind (`http`, `redis`, `openai`, …).
        public var kind: String
        /// SHA-256 of the recipe file as used.
        public var sha256: String
        /// The parameters the run changed with `--set key=value` (nil: none), so a result says what it measured.
        public var overrides: [String: String]?

        public init(name: String, kind: String, sha256: String, overrides: [String: String]? = nil) {
            self.name = name
            self.kind = kind
            self.sha256 = sha256
            self.overrides = overrides?.isEmpty == true ? nil : overrides
        }
    }

    /// What a run was aimed at.
    public struct Target: Sendable, Codable, Equatable {
        /// The target as the user gave it: a server handle (`s1`), a URL or `host:port`.
        public var given: String
        public var host: String
        public var port: Int
        /// The server's port name, when the target is a server bench started.
        public var portName: String?

        enum CodingKeys: String, CodingKey {
            case given, host, port
            case portName = "port_name"
        }

        public init(given: String, host: String, port: Int, portName: String? = nil) {
            self.given = given
            self.host = host
            self.port = port
            self.portName = portName
        }
    }

    /// The load a run applied, after command-line overrides.
    public struct Workload: Sendable, Codable, Equatable {
        /// `closed` or `open`.
        public var mode: String
        /// Connections (closed loop) or the cap on requests in flight (open loop).
        public var concurrency: Int
        /// Requests per second (open loop).
        public var rate: Double?
        /// `constant` or `poisson` (open loop).
        public var arrival: String?
        /// Seconds of measured load asked for.
        public var duration: Double?
        public var requests: Int?
        /// Seconds of warm-up load before measuring.
        public var warmup: Double?
        public var seed: UInt64
        /// The most connections an open-loop run may open.
        public var connectionsCap: Int?

        enum CodingKeys: String, CodingKey {
            case mode, concurrency, rate, arrival, requests, seed
            case duration = "duration_s"
            case warmup = "warmup_s"
            case connectionsCap = "connections_cap"
        }

        public init(mode: String, concurrency: Int, rate: Double? = nil, arrival: String? = nil, duration: Double? = nil,
                    requests: Int? = nil, warmup: Double? = nil, seed: UInt64 = 1, connectionsCap: Int? = nil) {
            self.mode = mode
            self.concurrency = concurrency
            self.rate = rate
            self.arrival = arrival
            self.duration = duration
            self.requests = requests
            self.warmup = warmup
            self.seed = seed
            self.connectionsCap = connectionsCap
        }

        /// The workload of a recipe (after overrides).
        public init(_ spec: WorkloadSpec, connectionsCap: Int? = nil) {
            let open = spec.mode == .open
            self.init(mode: spec.mode.rawValue, concurrency: spec.concurrency, rate: open ? spec.rate : nil,
                      arrival: open ? spec.arrival.rawValue : nil, duration: spec.duration.seconds, requests: spec.requests,
                      warmup: spec.warmup.seconds, seed: spec.seed, connectionsCap: connectionsCap)
        }

        public var isOpenLoop: Bool { mode == WorkloadMode.open.rawValue }

        /// The schedule's mean gap between sends in ns (open loop with a rate).
        public var expectedInterval: UInt64? {
            guard isOpenLoop, let rate, rate > 0, rate.isFinite else { return nil }
            return UInt64((1e9 / rate).rounded())
        }
    }

    /// How many requests did what.
    public struct Counts: Sendable, Codable, Equatable {
        public var sent: Int
        /// Answers received (successes and unexpected statuses).
        public var completed: Int
        public var ok: Int
        /// Failed requests by kind (`connect`, `timeout`, `status`, `protocol`, `closed`); every kind is listed.
        public var errors: [String: Int]
        /// Requests scheduled during the warm-up, excluded from every statistic.
        public var warmupExcluded: Int
        /// Of the warm-up's requests, those that failed (absent in results written before it was counted).
        public var warmupFailed: Int?
        /// Connections reopened after the server closed them.
        public var reconnects: Int
        /// Bytes of the measured answers.
        public var bytesReceived: Int
        /// Answers by protocol status (HTTP status code), where the protocol has one.
        public var statusCodes: [Int: Int]?

        enum CodingKeys: String, CodingKey {
            case sent, completed, ok, errors, reconnects
            case warmupExcluded = "warmup_excluded"
            case warmupFailed = "warmup_failed"
            case bytesReceived = "bytes_received"
            case statusCodes = "status_codes"
        }

        public init(sent: Int = 0, completed: Int = 0, ok: Int = 0,
                    errors: [String: Int] = Dictionary(uniqueKeysWithValues: RequestErrorKind.allCases.map { ($0.rawValue, 0) }),
                    warmupExcluded: Int = 0, warmupFailed: Int? = nil, reconnects: Int = 0, bytesReceived: Int = 0,
                    statusCodes: [Int: Int]? = nil) {
            self.sent = sent
            self.completed = completed
            self.ok = ok
            self.errors = errors
            self.warmupExcluded = warmupExcluded
            self.warmupFailed = warmupFailed
            self.reconnects = reconnects
            self.bytesReceived = bytesReceived
            self.statusCodes = statusCodes
        }

        /// All failed requests.
        public var errorTotal: Int { errors.values.reduce(0, +) }
    }

    /// Rates over the measured duration.
    public struct Throughput: Sendable, Codable, Equatable {
        /// Answers per second (the throughput of metrics.md).
        public var requestsPerSecond: Double
        public var okPerSecond: Double
        public var bytesPerSecond: Double

        enum CodingKeys: String, CodingKey {
            case requestsPerSecond = "requests_per_s"
            case okPerSecond = "ok_per_s"
            case bytesPerSecond = "bytes_per_s"
        }

        public init(requestsPerSecond: Double = 0, okPerSecond: Double = 0, bytesPerSecond: Double = 0) {
            self.requestsPerSecond = requestsPerSecond
            self.okPerSecond = okPerSecond
            self.bytesPerSecond = bytesPerSecond
        }

        init(completed: Int, ok: Int, bytes: Int, seconds: Double) {
            guard seconds > 0 else {
                self.init()
                return
            }
            self.init(requestsPerSecond: Double(completed) / seconds, okPerSecond: Double(ok) / seconds,
                      bytesPerSecond: Double(bytes) / seconds)
        }
    }

    /// The latency summaries (ms) of a run.
    public struct Latency: Sendable, Codable, Equatable {
        /// From the actual send: what the server cost.
        public var serviceTime: LatencySummary
        /// From the scheduled send: what a user waiting in line saw (coordinated-omission corrected).
        public var responseTime: LatencySummary
        /// Actual send − scheduled send.
        public var senderLag: LatencySummary
        /// First byte (first content token) − actual send.
        public var timeToFirstByte: LatencySummary

        enum CodingKeys: String, CodingKey {
            case serviceTime = "service_time"
            case responseTime = "response_time"
            case senderLag = "sender_lag"
            case timeToFirstByte = "time_to_first_byte"
        }

        public init(serviceTime: LatencySummary = .zero, responseTime: LatencySummary = .zero,
                    senderLag: LatencySummary = .zero, timeToFirstByte: LatencySummary = .zero) {
            self.serviceTime = serviceTime
            self.responseTime = responseTime
            self.senderLag = senderLag
            self.timeToFirstByte = timeToFirstByte
        }
    }

    /// Whether the client, not the server, limited an open-loop run: its p99 sender lag against a bound.
    public struct ClientBottleneck: Sendable, Codable, Equatable {
        /// The bound's floor: 1 ms (metrics.md).
        public static let minimumBoundMs = 1.0

        public var p99SenderLagMs: Double
        /// max(1 ms, 1% of the inter-arrival time).
        public var boundMs: Double
        /// The p99 sender lag exceeded the bound (open loop only).
        public var exceeded: Bool
        /// The verdict means something: an open-loop run, whose sends follow a schedule.
        public var applicable: Bool
        public var note: String

        enum CodingKeys: String, CodingKey {
            case exceeded, applicable, note
            case p99SenderLagMs = "p99_sender_lag_ms"
            case boundMs = "bound_ms"
        }

        public init(p99SenderLagMs: Double, boundMs: Double, exceeded: Bool, applicable: Bool, note: String) {
            self.p99SenderLagMs = p99SenderLagMs
            self.boundMs = boundMs
            self.exceeded = exceeded
            self.applicable = applicable
            self.note = note
        }

        /// The verdict for a workload given its sender lag. The inter-arrival time comes from the workload's
        /// rate, else from the aggregators' `expectedInterval` (ns).
        public init(workload: Workload, senderLag: LatencySummary, expectedInterval: UInt64? = nil) {
            let p99 = senderLag.p99
            guard workload.isOpenLoop else {
                self.init(p99SenderLagMs: p99, boundMs: Self.minimumBoundMs, exceeded: false, applicable: false,
                          note: "closed loop: each request is sent when its connection frees, so there is no schedule "
                              + "to fall behind; sender lag is shown for information only")
                return
            }
            let interval = workload.expectedInterval ?? expectedInterval
            let bound = Swift.max(Self.minimumBoundMs, interval.map { Double($0) / 1e6 * 0.01 } ?? 0)
            let exceeded = senderLag.count > 0 && p99 > bound
            let lag = Self.format(p99)
            let limit = Self.format(bound)
            let note = exceeded
                ? "p99 sender lag \(lag) ms exceeds the \(limit) ms bound: the client, not the server, was the bottleneck "
                    + "and did not keep the schedule; response times include the client's delay"
                : "p99 sender lag \(lag) ms is within the \(limit) ms bound: the client kept the schedule"
            self.init(p99SenderLagMs: p99, boundMs: bound, exceeded: exceeded, applicable: true, note: note)
        }

        static func format(_ ms: Double) -> String { String(format: ms < 10 ? "%.3f" : "%.1f", ms) }
    }

    /// The run's HDR histograms in serialized form, so results from several nodes merge exactly.
    public struct Histograms: Sendable, Codable, Equatable {
        public var serviceTime: SerializedHistogram
        public var responseTime: SerializedHistogram
        public var senderLag: SerializedHistogram
        public var timeToFirstByte: SerializedHistogram?

        enum CodingKeys: String, CodingKey {
            case serviceTime = "service_time"
            case responseTime = "response_time"
            case senderLag = "sender_lag"
            case timeToFirstByte = "time_to_first_byte"
        }

        public init(serviceTime: SerializedHistogram = .empty, responseTime: SerializedHistogram = .empty,
                    senderLag: SerializedHistogram = .empty, timeToFirstByte: SerializedHistogram? = nil) {
            self.serviceTime = serviceTime
            self.responseTime = responseTime
            self.senderLag = senderLag
            self.timeToFirstByte = timeToFirstByte
        }
    }
}
