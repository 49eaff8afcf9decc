import Foundation

extension RunResult: Codable {
    enum CodingKeys: String, CodingKey {
        case schema, run, session, recipe, target, workload, status, counts, throughput, latency, percentiles, monitor, parts
        case benchVersion = "bench_version"
        case startedAt = "started_at"
        case endedAt = "ended_at"
        case statusReason = "status_reason"
        case measuredDuration = "measured_duration_s"
        case clientBottleneck = "client_bottleneck"
        case timeSeries = "time_series"
        case histograms
        case metricDefinitions = "metric_definitions"
        case kindMetrics = "kind_metrics"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let schema = try c.decode(String.self, forKey: .schema)
        guard schema == RunResult.currentSchema else {
            throw DecodingError.dataCorruptedError(forKey: .schema, in: c,
                debugDescription: "result schema \"\(schema)\" is not \"\(RunResult.currentSchema)\", which this bench reads")
        }
        self.init(run: try c.decode(String.self, forKey: .run),
                  session: try c.decode(String.self, forKey: .session),
                  recipe: try c.decode(Recipe.self, forKey: .recipe),
                  target: try c.decode(Target.self, forKey: .target),
                  workload: try c.decode(Workload.self, forKey: .workload),
                  startedAt: try RunResult.decodeDate(c, .startedAt),
                  endedAt: try RunResult.decodeDate(c, .endedAt),
                  status: try c.decode(RunStatus.self, forKey: .status),
                  statusReason: try c.decodeIfPresent(String.self, forKey: .statusReason),
                  benchVersion: try c.decode(String.self, forKey: .benchVersion))
        measuredDuration = try c.decode(Double.self, forKey: .measuredDuration)
        counts = try c.decode(Counts.self, forKey: .counts)
        throughput = try c.decode(Throughput.self, forKey: .throughput)
        latency = try c.decode(Latency.self, forKey: .latency)
        clientBottleneck = try c.decode(ClientBottleneck.self, forKey: .clientBottleneck)
        timeSeries = try c.decode([TimeSeriesPoint].self, forKey: .timeSeries)
        histograms = try c.decode(Histograms.self, forKey: .histograms)
        percentiles = try c.decodeIfPresent(String.self, forKey: .percentiles) ?? RunResult.percentileMethod
        metricDefinitions = try c.decode(String.self, forKey: .metricDefinitions)
        kindMetrics = try c.decodeIfPresent([String: JSONValue].self, forKey: .kindMetrics) ?? [:]
        monitor = try c.decodeIfPresent([String: JSONValue].self, forKey: .monitor)
        parts = try c.decodeIfPresent([String].self, forKey: .parts)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(schema, forKey: .schema)
        try c.encode(run, forKey: .run)
        try c.encode(session, forKey: .session)
        try c.encode(benchVersion, forKey: .benchVersion)
        try c.encode(recipe, forKey: .recipe)
        try c.encode(target, forKey: .target)
        try c.encode(workload, forKey: .workload)
        try c.encode(RunResult.dateString(startedAt), forKey: .startedAt)
        try c.encode(RunResult.dateString(endedAt), forKey: .endedAt)
        try c.encode(status, forKey: .status)
        try c.encodeIfPresent(statusReason, forKey: .statusReason)
        try c.encode(measuredDuration, forKey: .measuredDuration)
        try c.encode(counts, forKey: .counts)
        try c.encode(throughput, forKey: .throughput)
        try c.encode(latency, forKey: .latency)
        try c.encode(clientBottleneck, forKey: .clientBottleneck)
        try c.encode(timeSeries, forKey: .timeSeries)
        try c.encode(histograms, forKey: .histograms)
        try c.encode(percentiles, forKey: .percentiles)
        try c.encode(metricDefinitions, forKey: .metricDefinitions)
        try c.encode(kindMetrics, forKey: .kindMetrics)
        try c.encodeIfPresent(monitor, forKey: .monitor)
        try c.encodeIfPresent(parts, forKey: .parts)
    }

    /// The result file's bytes: pretty-printed JSON with sorted keys, ending in a newline.
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var data = try encoder.encode(self)
        data.append(0x0A)
        return data
    }

    /// Reads a result file's bytes; fails on another schema.
    public static func decode(from data: Data) throws -> RunResult {
        try JSONDecoder().decode(RunResult.self, from: data)
    }

    /// ISO 8601 in UTC with milliseconds (`2025-01-31T09:30:00.250Z`).
    static func dateString(_ date: Date) -> String {
        // The format truncates to the millisecond; half a millisecond added makes it round, so a time read
        // back from a file (…52.408 parses as …52.40799…) prints as it was written, not a millisecond early.
        date.addingTimeInterval(0.0005).formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    private static func decodeDate(_ c: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys) throws -> Date {
        let text = try c.decode(String.self, forKey: key)
        if let date = try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text) { return date }
        if let date = try? Date.ISO8601FormatStyle().parse(text) { return date }
        throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: "not an ISO 8601 date: \(text)")
    }
}
