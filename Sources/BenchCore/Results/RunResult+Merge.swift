import Foundation

extension RunResult {
    /// One result from the results of a run several nodes shared, each running part of the load.
    ///
    /// Histograms are rebuilt from the serialized ones and added, so the latency summaries are exact; counts and
    /// throughput are summed; the measured duration is the longest part's. Per-second percentiles cannot be
    /// merged from points: a merged point shows the worst part's. `parts` is left for the caller to name the files.
    /// Each part's `kind_metrics` is kept under `per_part`; where every part carries LLM histograms, the LLM metrics
    /// are recomputed from the merged histograms and summed counts under the single-node names as well, and where
    /// every part carries a cache's reply counts (memcached), they are summed under theirs; where every part
    /// carries recall counts (chroma), the recall figures are recomputed from their sum.
    public static func merge(_ parts: [RunResult]) -> RunResult {
        guard var merged = parts.first else {
            preconditionFailure("RunResult.merge needs at least one part")
        }
        guard parts.count > 1 else { return merged }

        var snapshot = merged.snapshot()
        var reconnects = merged.counts.reconnects
        var throughput = merged.throughput
        var workload = merged.workload
        var reasons = merged.statusReason.map { [$0] } ?? []
        for part in parts.dropFirst() {
            snapshot.merge(part.snapshot())
            reconnects += part.counts.reconnects
            throughput.requestsPerSecond += part.throughput.requestsPerSecond
            throughput.okPerSecond += part.throughput.okPerSecond
            throughput.bytesPerSecond += part.throughput.bytesPerSecond
            workload.concurrency += part.workload.concurrency
            workload.rate = sum(workload.rate, part.workload.rate)
            workload.requests = sum(workload.requests, part.workload.requests)
            workload.connectionsCap = sum(workload.connectionsCap, part.workload.connectionsCap)
            merged.startedAt = min(merged.startedAt, part.startedAt)
            merged.endedAt = max(merged.endedAt, part.endedAt)
            if part.status.severity > merged.status.severity { merged.status = part.status }
            if let reason = part.statusReason, !reasons.contains(reason) { reasons.append(reason) }
        }
        snapshot.expectedInterval = workload.expectedInterval
        merged.workload = workload
        merged.statusReason = reasons.isEmpty ? nil : reasons.joined(separator: "; ")
        merged.applyStatistics(snapshot, measuredDuration: parts.map(\.measuredDuration).max() ?? 0, reconnects: reconnects)
        // Several nodes each ran part of the load: their rates add up.
        merged.throughput = throughput
        merged.timeSeries = mergedTimeSeries(parts.map(\.timeSeries))
        merged.kindMetrics = mergedKindMetrics(parts, duration: merged.measuredDuration)
        merged.monitor = nil
        merged.parts = nil
        return merged
    }

    /// `per_part` (each part's kind metrics), plus the LLM metrics of the whole run when every part can give its
    /// `LLMSnapshot` back, or the cache reply counts of the whole run when every part has them; otherwise
    /// `per_part` is all there is.
    private static func mergedKindMetrics(_ parts: [RunResult], duration: Double) -> [String: JSONValue] {
        // The parts' histograms are all in the merged ones; repeating them per part would only swell the file.
        let perPart: JSONValue = .array(parts.map { .object($0.kindMetrics.filter { $0.key != LLMHistograms.key }) })
        if let exec = mergedExecMetrics(parts) { return exec.merging(["per_part": perPart]) { $1 } }
        var metrics: [String: JSONValue] = [:]
        let cacheCounts = parts.compactMap { CacheReplyCounts(kindMetrics: $0.kindMetrics) }
        if cacheCounts.count == parts.count, let first = cacheCounts.first {
            metrics = cacheCounts.dropFirst().reduce(first, +).kindMetrics
        }
        let snapshots = parts.compactMap { LLMSnapshot(kindMetrics: $0.kindMetrics) }
        if snapshots.count == parts.count, let llm = LLMSnapshot.merged(snapshots) {
            let failed = parts.reduce(0) { $0 + Int($1.kindMetrics["failed"]?.number ?? 0) }
            metrics = llm.kindMetrics(failed: failed, duration: duration)
            // Several nodes each ran part of the load: their rates add up, as the result's throughput does.
            for key in LLMSnapshot.rateKeys {
                metrics[key] = .number(parts.reduce(0) { $0 + ($1.kindMetrics[key]?.number ?? 0) })
            }
        }
        // A vector search's recall: the parts' hit counts add up to the whole run's distribution.
        let recalls = parts.compactMap { RecallSnapshot(kindMetrics: $0.kindMetrics) }
        if recalls.count == parts.count, var recall = recalls.first, recalls.allSatisfy({ $0.k == recall.k }) {
            for other in recalls.dropFirst() { recall.merge(other) }
            metrics.merge(recall.kindMetrics) { $1 }
        }
        metrics["per_part"] = perPart
        return metrics
    }

    /// Where an exec run keeps each metric's merge rule in `kind_metrics`, so parts on several nodes combine by it.
    public static let execMergeKey = "exec_merge"

    /// An exec tool's figures over every part, each by the rule its recipe gave (rates and counts add
    /// up, averages do not); nil unless every part is an exec run that read them.
    static func mergedExecMetrics(_ parts: [RunResult]) -> [String: JSONValue]? {
        guard case .object(let rules)? = parts.first?.kindMetrics[execMergeKey],
              parts.allSatisfy({ $0.kindMetrics[execMergeKey] != nil }) else { return nil }
        var merged = parts.first!.kindMetrics.filter { !(rules[$0.key] != nil) }
        for (name, rule) in rules {
            let values = parts.compactMap { $0.kindMetrics[name]?.number }
            guard values.count == parts.count, case .string(let how) = rule else { continue }
            let value: Double = switch how {
            case "mean": values.reduce(0, +) / Double(values.count)
            case "max": values.max() ?? 0
            case "min": values.min() ?? 0
            default: values.reduce(0, +)
            }
            merged[name] = .number(value)
        }
        merged["exit_status"] = .string(parts.compactMap { $0.kindMetrics["exit_status"]?.text }.joined(separator: ", "))
        return merged
    }

    private static func sum<T: AdditiveArithmetic>(_ a: T?, _ b: T?) -> T? {
        switch (a, b) {
        case let (a?, b?): a + b
        case let (a?, nil): a
        case let (nil, b?): b
        case (nil, nil): nil
        }
    }

    private static func mergedTimeSeries(_ series: [[TimeSeriesPoint]]) -> [TimeSeriesPoint] {
        struct Key: Hashable {
            var second: Int
            var warmup: Bool
        }
        var points: [Key: TimeSeriesPoint] = [:]
        for point in series.joined() {
            let key = Key(second: point.second, warmup: point.warmup)
            guard var merged = points[key] else {
                points[key] = point
                continue
            }
            merged.requests += point.requests
            // Rates of the same second add up; the parts ran side by side, so the merged point covers
            // the longest of them.
            merged.throughput += point.throughput
            merged.duration = max(merged.duration, point.duration)
            merged.errors += point.errors
            merged.bytes += point.bytes
            merged.p50 = max(merged.p50, point.p50)
            merged.p90 = max(merged.p90, point.p90)
            merged.p99 = max(merged.p99, point.p99)
            merged.max = max(merged.max, point.max)
            points[key] = merged
        }
        return points.values.sorted(by: TimeSeriesPoint.precedes)
    }
}
