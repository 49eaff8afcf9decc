import Foundation

/// Folds the per-second slices and snapshots of a run's aggregators (event loops, or nodes) into its result.
///
/// Used by one task (the client manager's run loop): not thread-safe. Slices of the same second from several
/// aggregators are merged; once a second is `settleSeconds` older than the newest one seen, its slices are reduced
/// to a time-series point and their histograms dropped, so memory stays flat however long the run. A slice that
/// arrives after its second settled still adds its counts to the point (its percentiles then stay as they were).
public final class RunCollector {
    /// How many seconds a second's slices wait for slower aggregators before they become a point.
    public static let settleSeconds = 10

    private struct Key: Hashable {
        var second: Int
        var warmup: Bool
    }

    private var pending: [Key: SecondSlice] = [:]
    private var settled: [Key: TimeSeriesPoint] = [:]
    private var newestSecond = Int.min
    /// The aggregators' merged cumulative state so far (what `add(_: AggregateSnapshot)` was given).
    public private(set) var snapshot: AggregateSnapshot?

    public init() {}

    /// Adds slices from `RunAggregator.takeSeconds(upTo:)`.
    public func add(_ slices: [SecondSlice]) {
        for slice in slices {
            let key = Key(second: slice.second, warmup: slice.warmup)
            newestSecond = Swift.max(newestSecond, slice.second)
            if var point = settled[key] {
                point.requests += slice.completed
                point.throughput += Double(slice.completed)
                point.errors += slice.errors
                point.bytes += slice.bytes
                if slice.response.totalCount > 0 {
                    point.max = Swift.max(point.max, LatencyHistograms.millis(slice.response.maxRecorded))
                }
                settled[key] = point
            } else if pending[key] != nil {
                pending[key]!.merge(slice)
            } else {
                pending[key] = slice
            }
        }
        if newestSecond != Int.min {
            settle(before: newestSecond - RunCollector.settleSeconds)
        }
    }

    /// Adds an aggregator's cumulative state (at the end of the run, one per aggregator; or a node's).
    public func add(_ snapshot: AggregateSnapshot) {
        if self.snapshot == nil {
            self.snapshot = snapshot
        } else {
            self.snapshot!.merge(snapshot)
        }
    }

    /// Slices (warm-up and measured) not yet reduced to points, for tests and memory checks.
    public var pendingSliceCount: Int { pending.count }

    /// The per-second series so far, ordered by second (a warm-up point before the measured one of the same
    /// second); seconds in which nothing completed appear as idle points, so stalls show.
    public var timeSeries: [TimeSeriesPoint] {
        var points = Array(settled.values) + pending.values.map(TimeSeriesPoint.init)
        guard let last = points.map(\.second).max() else { return [] }
        let first = Swift.min(0, points.map(\.second).min() ?? 0)
        let warmupEnd = snapshot?.warmupEnd ?? 0
        let seen = Set(points.map(\.second))
        for second in first...last where !seen.contains(second) {
            points.append(.idle(second: second, warmup: UInt64(Swift.max(0, second)) * 1_000_000_000 < warmupEnd))
        }
        return points.sorted(by: TimeSeriesPoint.precedes)
    }

    /// The run's result: the descriptive fields as given, the statistics from everything added.
    ///
    /// - Parameters:
    ///   - runEnd: when the run ended, ns since its start; the measured duration runs from the warm-up's end to
    ///     this (or to the last completion, when later or when `runEnd` is nil).
    ///   - reconnects: connections reopened after the server closed them.
    public func finish(run: String, session: String, recipe: RunResult.Recipe, target: RunResult.Target,
                       workload: RunResult.Workload, startedAt: Date, endedAt: Date, runEnd: UInt64? = nil,
                       status: RunStatus = .completed, statusReason: String? = nil, reconnects: Int = 0,
                       kindMetrics: [String: JSONValue] = [:], monitor: [String: JSONValue]? = nil) -> RunResult {
        let merged = snapshot ?? AggregateSnapshot(warmupEnd: UInt64(Swift.max(0, workload.warmup ?? 0) * 1e9),
                                                   expectedInterval: workload.expectedInterval)
        var result = RunResult(run: run, session: session, recipe: recipe, target: target, workload: workload,
                               startedAt: startedAt, endedAt: endedAt, status: status, statusReason: statusReason)
        result.applyStatistics(merged, measuredDuration: RunCollector.measuredDuration(merged, runEnd: runEnd),
                               reconnects: reconnects)
        result.timeSeries = RunCollector.covered(timeSeries, warmupEnd: merged.warmupEnd,
                                                 end: Swift.max(runEnd ?? 0, merged.lastCompleted ?? 0))
        result.kindMetrics = kindMetrics
        result.monitor = monitor
        return result
    }

    /// Seconds from the warm-up's end to the run's end (or its last completion, when later or the end is unknown).
    public static func measuredDuration(_ snapshot: AggregateSnapshot, runEnd: UInt64?) -> Double {
        let end = Swift.max(runEnd ?? 0, snapshot.lastCompleted ?? 0)
        guard end > snapshot.warmupEnd else { return 0 }
        return Double(end - snapshot.warmupEnd) / 1e9
    }

    /// The points with the part of each second the run covered: a warm-up point from the second's start to
    /// the warm-up's end, a measured one from the warm-up's end (or the second's start) to the run's end.
    static func covered(_ points: [TimeSeriesPoint], warmupEnd: UInt64, end: UInt64) -> [TimeSeriesPoint] {
        guard end > 0 else { return points }
        return points.map { point in
            let start = UInt64(Swift.max(0, point.second)) * 1_000_000_000
            let lower = point.warmup ? start : Swift.max(start, warmupEnd)
            let upper = Swift.min(start + 1_000_000_000, point.warmup ? Swift.min(warmupEnd, end) : end)
            return point.covering(upper > lower ? Double(upper - lower) / 1e9 : 0)
        }
    }

    private func settle(before second: Int) {
        guard !pending.isEmpty else { return }
        for key in pending.keys where key.second < second {
            if let slice = pending.removeValue(forKey: key) {
                settled[key] = TimeSeriesPoint(slice)
            }
        }
    }
}
