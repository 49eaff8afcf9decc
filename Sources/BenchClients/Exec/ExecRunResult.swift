import BenchCore
import BenchPlacement
import Foundation

/// Turns an exec run's outcome into the standard result: status, the tool's named figures under
/// `kind_metrics`, and counts and latency histograms where the tool reports them.
enum ExecRunResult {

    static func build(_ outcome: ExecToolRun.Outcome, params: ExecParams, request: ClientRunRequest, run: String, session: String,
                      outputPath: String, latencyLogFiles: String?, targetFailure: String?) -> RunResult {
        // The tool keeps its own connections: no pool cap of bench's to record.
        var result = RunResult(
            run: run, session: session, recipe: request.resultRecipe, target: request.resultTarget,
            workload: request.resultWorkload(withConnectionsCap: false), startedAt: outcome.startedAt, endedAt: outcome.endedAt)
        result.measuredDuration = outcome.measuredSeconds
        var metrics: [String: JSONValue] = [
            "tool": .string(request.params.execTool ?? ""),
            "output": .string(outputPath),
        ]
        if let status = outcome.exitStatus { metrics["exit_status"] = .string(status.description) }

        var failure = targetFailure ?? outcome.failure
        var countsKnown = false
        if failure == nil {
            do {
                let tool = request.params.execTool ?? "the tool"
                for (name, value) in try ExecOutputReader.read(params.metrics, from: outcome.output, tool: tool) {
                    metrics[name] = .number(value)
                }
                if let log = params.latencyLog, let pattern = latencyLogFiles {
                    let files = ExecLatencyLogReader.files(matching: pattern)
                    guard !files.isEmpty else {
                        throw BenchError("params.latency_log: no file matches \(pattern) after \(tool) ran (does its command write the log there?)")
                    }
                    result.applyStatistics(try ExecLatencyLogReader.read(log, files: files), measuredDuration: outcome.measuredSeconds)
                    // The tool kept its own schedule (or none): bench's sender-lag verdict does not apply to it.
                    result.clientBottleneck = RunResult.ClientBottleneck(
                        p99SenderLagMs: result.latency.senderLag.p99, boundMs: RunResult.ClientBottleneck.minimumBoundMs, exceeded: false, applicable: false,
                        note: "\(tool) measured these latencies itself; bench read them from its per-request log"
                            + (log.lagColumn == nil ? " (no schedule lag in it: response time is service time)" : ""))
                    countsKnown = true
                } else if let name = params.requestsMetric, let done = metrics[name]?.number {
                    let n = Int(done.rounded())
                    result.counts = RunResult.Counts(sent: n, completed: n, ok: n)
                    result.throughput = RunResult.Throughput(requestsPerSecond: outcome.measuredSeconds > 0 ? done / outcome.measuredSeconds : 0,
                                                            okPerSecond: outcome.measuredSeconds > 0 ? done / outcome.measuredSeconds : 0)
                    countsKnown = true
                }
            } catch let error as BenchError {
                failure = error.message
            } catch {
                failure = "\(error)"
            }
        }
        metrics[RunResult.execMergeKey] = .object(Dictionary(uniqueKeysWithValues: params.metrics.map { ($0.name, JSONValue.string($0.merge.rawValue)) }))
        result.kindMetrics = metrics
        if let failure {
            result.status = targetFailure != nil ? .targetFailed : (outcome.interrupted ? .interrupted : .failed)
            result.statusReason = failure
        }
        if countsKnown { result.failIfNothingSucceeded() }
        return result
    }
}

extension ClientParams {
    /// The program an exec client runs (its argv's first word).
    var execTool: String? {
        if case .exec(let params) = self { return params.command.first }
        return nil
    }
}
