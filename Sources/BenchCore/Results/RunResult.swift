import Foundation

/// One client run's results, as `runs/<run>.json` stores them (schema `bench.run/1`).
///
/// The client manager fills the descriptive fields (run, recipe, target, workload, times, status); the statistics
/// come from `RunCollector.finish`, or from `RunResult.merge` for a run several nodes shared.
public struct RunResult: Sendable, Equatable {
    /// The schema every result file of this version names.
    public static let currentSchema = "bench.run/1"
    /// How percentiles are computed, written into every result and summary.
    public static let percentileMethod = "nearest-rank, HDR 3 significant digits"

    public var schema: String
    /// The run's handle (`r1`).
    public var run: String
    public var session: String
    public var benchVersion: String
    public var recipe: Recipe
    public var target: Target
    public var workload: Workload
    public var startedAt: Date
    public var endedAt: Date
    public var status: RunStatus
    public var statusReason: String?
    /// Seconds from the end of the warm-up to the end of the run (or its last completion, when later).
    public var measuredDuration: Double
    public var counts: Counts
    public var throughput: Throughput
    public var latency: Latency
    public var clientBottleneck: ClientBottleneck
    public var timeSeries: [TimeSeriesPoint]
    public var histograms: Histograms
    public var percentiles: String
    public var metricDefinitions: String
    /// Numbers particular to the client kind (the LLM metrics under vLLM's names, for instance, with the LLM
    /// histograms they come from under `histograms`, so that `merge` recomputes them exactly).
    public var kindMetrics: [String: JSONValue]
    /// What the attached monitors measured during the run, when any were.
    public var monitor: [String: JSONValue]?
    /// For a run merged from several nodes: the result files of its parts.
    public var parts: [String]?

    /// A result with its descriptive fields and empty statistics.
    public init(run: String, session: String, recipe: Recipe, target: Target, workload: Workload,
                startedAt: Date, endedAt: Date, status: RunStatus = .completed, statusReason: String? = nil,
                benchVersion: String = BenchVersion.current) {
        schema = RunResult.currentSchema
        self.run = run
        self.session = session
        self.benchVersion = benchVersion
        self.recipe = recipe
        self.target = target
        self.workload = workload
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.status = status
        self.statusReason = statusReason
        measuredDuration = 0
        counts = Counts()
        throughput = Throughput()
        latency = Latency()
        clientBottleneck = ClientBottleneck(p99SenderLagMs: 0, boundMs: ClientBottleneck.minimumBoundMs, exceeded: false,
                                            applicable: false, note: "")
        timeSeries = []
        histograms = Histograms()
        percentiles = RunResult.percentileMethod
        metricDefinitions = MetricDefinitions.reference
        kindMetrics = [:]
        monitor = nil
        parts = nil
    }

    /// Sets counts, throughput, latency summaries, the client-bottleneck verdict and the serialized histograms
    /// from the run's merged snapshot and its measured duration (seconds).
    public mutating func applyStatistics(_ s: AggregateSnapshot, measuredDuration: Double, reconnects: Int = 0) {
        self.measuredDuration = measuredDuration
        counts = Counts(sent: s.sent, completed: s.completed, ok: s.ok,
                        errors: Dictionary(uniqueKeysWithValues: s.errors.map { ($0.key.rawValue, $0.value) }),
                        warmupExcluded: s.warmupRequests, warmupFailed: s.warmupFailed, reconnects: reconnects, bytesReceived: s.bytesReceived,
                        statusCodes: s.statusCounts)
        throughput = Throughput(completed: s.completed, ok: s.ok, bytes: s.bytesReceived, seconds: measuredDuration)
        latency = Latency(serviceTime: LatencySummary(histogram: s.serviceTime),
                          responseTime: LatencySummary(histogram: s.responseTime),
                          senderLag: LatencySummary(histogram: s.senderLag),
                          timeToFirstByte: LatencySummary(histogram: s.timeToFirstByte))
        histograms = Histograms(serviceTime: SerializedHistogram(s.serviceTime),
                                responseTime: SerializedHistogram(s.responseTime),
                                senderLag: SerializedHistogram(s.senderLag),
                                timeToFirstByte: SerializedHistogram(s.timeToFirstByte))
        clientBottleneck = ClientBottleneck(workload: workload, senderLag: latency.senderLag,
                                            expectedInterval: s.expectedInterval)
    }

    /// The run's measured state rebuilt from the serialized histograms and counts (exact), e.g. to merge parts.
    public func snapshot() -> AggregateSnapshot {
        var s = AggregateSnapshot(warmupEnd: UInt64(max(0, workload.warmup ?? 0) * 1e9),
                                  expectedInterval: workload.expectedInterval)
        s.serviceTime = histograms.serviceTime.histogram()
        s.responseTime = histograms.responseTime.histogram()
        s.senderLag = histograms.senderLag.histogram()
        s.timeToFirstByte = (histograms.timeToFirstByte ?? .empty).histogram()
        s.sent = counts.sent
        s.completed = counts.completed
        s.ok = counts.ok
        for (name, count) in counts.errors {
            if let kind = RequestErrorKind(rawValue: name) { s.errors[kind, default: 0] += count }
        }
        s.bytesReceived = counts.bytesReceived
        s.warmupRequests = counts.warmupExcluded
        s.warmupFailed = counts.warmupFailed ?? 0
        s.statusCounts = counts.statusCodes ?? [:]
        return s
    }
}
