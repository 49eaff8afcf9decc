import Histogram

/// The cumulative measured state of one or more aggregators: histograms and counters, warm-up excluded.
///
/// Histograms are in microseconds, 1 µs to 1 hour, 3 significant digits; `merge` adds them bucket by bucket,
/// so merging snapshots is exact.
public struct AggregateSnapshot: Sendable {
    /// Response complete − actual send, of answered requests.
    public var serviceTime: Histogram<UInt64>
    /// Response complete − scheduled send, of answered requests (coordinated-omission corrected).
    public var responseTime: Histogram<UInt64>
    /// Actual send − scheduled send, of every request that was written.
    public var senderLag: Histogram<UInt64>
    /// First byte (or first content token) − actual send, of answered requests that had one.
    public var timeToFirstByte: Histogram<UInt64>
    /// Requests written to a connection (every result but connect failures).
    public var sent: Int
    /// Answers received: successes plus answers with an unexpected status. Throughput counts these.
    public var completed: Int
    /// Successful requests.
    public var ok: Int
    /// Failed requests by kind; every kind is present.
    public var errors: [RequestErrorKind: Int]
    public var bytesReceived: Int
    /// Earliest and latest completion (ns since the run's start) of a measured result; nil when there was none.
    public var firstCompleted: UInt64?
    public var lastCompleted: UInt64?
    /// Results scheduled before the warm-up ended: counted here and nowhere else.
    public var warmupRequests: Int
    /// Of those, the ones that failed (a dead target's warm-up is all connect errors, not requests served).
    public var warmupFailed: Int
    /// Answers by protocol status (HTTP status code); requests without a status are not counted.
    public var statusCounts: [Int: Int]
    /// LLM tokens of measured requests (see `RunAggregator.recordTokens`).
    public var inputTokens: Int
    public var outputTokens: Int
    /// When the warm-up ended (ns since the run's start).
    public var warmupEnd: UInt64
    /// The schedule's gap between sends in ns (open loop); nil in closed loop.
    public var expectedInterval: UInt64?

    /// An empty snapshot.
    public init(warmupEnd: UInt64 = 0, expectedInterval: UInt64? = nil) {
        serviceTime = LatencyHistograms.cumulative()
        responseTime = LatencyHistograms.cumulative()
        senderLag = LatencyHistograms.cumulative()
        timeToFirstByte = LatencyHistograms.cumulative()
        sent = 0
        completed = 0
        ok = 0
        errors = Dictionary(uniqueKeysWithValues: RequestErrorKind.allCases.map { ($0, 0) })
        bytesReceived = 0
        firstCompleted = nil
        lastCompleted = nil
        warmupRequests = 0
        warmupFailed = 0
        statusCounts = [:]
        inputTokens = 0
        outputTokens = 0
        self.warmupEnd = warmupEnd
        self.expectedInterval = expectedInterval
    }

    /// All failed requests, unexpected statuses included.
    public var errorCount: Int { errors.values.reduce(0, +) }

    /// Adds another aggregator's state (another event loop, another node): exact.
    public mutating func merge(_ other: AggregateSnapshot) {
        LatencyHistograms.merge(other.serviceTime, into: &serviceTime)
        LatencyHistograms.merge(other.responseTime, into: &responseTime)
        LatencyHistograms.merge(other.senderLag, into: &senderLag)
        LatencyHistograms.merge(other.timeToFirstByte, into: &timeToFirstByte)
        sent += other.sent
        completed += other.completed
        ok += other.ok
        errors.merge(other.errors, uniquingKeysWith: +)
        bytesReceived += other.bytesReceived
        firstCompleted = [firstCompleted, other.firstCompleted].compactMap { $0 }.min()
        lastCompleted = [lastCompleted, other.lastCompleted].compactMap { $0 }.max()
        warmupRequests += other.warmupRequests
        warmupFailed += other.warmupFailed
        statusCounts.merge(other.statusCounts, uniquingKeysWith: +)
        inputTokens += other.inputTokens
        outputTokens += other.outputTokens
        warmupEnd = Swift.max(warmupEnd, other.warmupEnd)
        // Aggregators of one schedule share its gap; keep the finest one known.
        expectedInterval = [expectedInterval, other.expectedInterval].compactMap { $0 }.min()
    }
}

extension AggregateSnapshot: Codable {
    enum CodingKeys: String, CodingKey {
        case sent, completed, ok, errors
        case serviceTime = "service_time"
        case responseTime = "response_time"
        case senderLag = "sender_lag"
        case timeToFirstByte = "time_to_first_byte"
        case bytesReceived = "bytes_received"
        case firstCompleted = "first_completed_ns"
        case lastCompleted = "last_completed_ns"
        case warmupRequests = "warmup_requests"
        case warmupFailed = "warmup_failed"
        case statusCounts = "status_counts"
        case inputTokens = "input_tokens"
        case outputTokens = "output_tokens"
        case warmupEnd = "warmup_end_ns"
        case expectedInterval = "expected_interval_ns"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(warmupEnd: try c.decode(UInt64.self, forKey: .warmupEnd),
                  expectedInterval: try c.decodeIfPresent(UInt64.self, forKey: .expectedInterval))
        serviceTime = try c.decode(SerializedHistogram.self, forKey: .serviceTime).histogram()
        responseTime = try c.decode(SerializedHistogram.self, forKey: .responseTime).histogram()
        senderLag = try c.decode(SerializedHistogram.self, forKey: .senderLag).histogram()
        timeToFirstByte = try c.decode(SerializedHistogram.self, forKey: .timeToFirstByte).histogram()
        sent = try c.decode(Int.self, forKey: .sent)
        completed = try c.decode(Int.self, forKey: .completed)
        ok = try c.decode(Int.self, forKey: .ok)
        errors.merge(try c.decode([RequestErrorKind: Int].self, forKey: .errors)) { $1 }
        bytesReceived = try c.decode(Int.self, forKey: .bytesReceived)
        firstCompleted = try c.decodeIfPresent(UInt64.self, forKey: .firstCompleted)
        lastCompleted = try c.decodeIfPresent(UInt64.self, forKey: .lastCompleted)
        warmupRequests = try c.decode(Int.self, forKey: .warmupRequests)
        warmupFailed = try c.decodeIfPresent(Int.self, forKey: .warmupFailed) ?? 0
        statusCounts = try c.decode([Int: Int].self, forKey: .statusCounts)
        inputTokens = try c.decodeIfPresent(Int.self, forKey: .inputTokens) ?? 0
        outputTokens = try c.decodeIfPresent(Int.self, forKey: .outputTokens) ?? 0
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(SerializedHistogram(serviceTime), forKey: .serviceTime)
        try c.encode(SerializedHistogram(responseTime), forKey: .responseTime)
        try c.encode(SerializedHistogram(senderLag), forKey: .senderLag)
        try c.encode(SerializedHistogram(timeToFirstByte), forKey: .timeToFirstByte)
        try c.encode(sent, forKey: .sent)
        try c.encode(completed, forKey: .completed)
        try c.encode(ok, forKey: .ok)
        try c.encode(errors, forKey: .errors)
        try c.encode(bytesReceived, forKey: .bytesReceived)
        try c.encodeIfPresent(firstCompleted, forKey: .firstCompleted)
        try c.encodeIfPresent(lastCompleted, forKey: .lastCompleted)
        try c.encode(warmupRequests, forKey: .warmupRequests)
        try c.encode(warmupFailed, forKey: .warmupFailed)
        try c.encode(statusCounts, forKey: .statusCounts)
        try c.encode(inputTokens, forKey: .inputTokens)
        try c.encode(outputTokens, forKey: .outputTokens)
        try c.encode(warmupEnd, forKey: .warmupEnd)
        try c.encodeIfPresent(expectedInterval, forKey: .expectedInterval)
    }
}
