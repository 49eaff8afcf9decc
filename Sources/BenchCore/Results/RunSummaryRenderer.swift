import Foundation

/// Plain-text renderings of results for the terminal (no ANSI): the summary `show rN` prints and the live
/// one-line progress of a running client.
public enum RunSummaryRenderer {
    /// The readable summary of a finished run.
    public static func lines(_ r: RunResult) -> [String] {
        var out: [String] = []
        let reason = r.statusReason.map { " (\($0))" } ?? ""
        out.append("\(r.run)  \(r.recipe.name) [\(r.recipe.kind)] -> \(targetText(r.target))  \(r.status.rawValue)\(reason)")
        out.append("  started \(RunResult.dateString(r.startedAt))  ended \(RunResult.dateString(r.endedAt))")
        out.append("  workload    \(workloadText(r.workload))")
        if let overrides = r.recipe.overrides {
            out.append("  overrides   " + overrides.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))
        }
        var measured = "  measured    \(seconds(r.measuredDuration))"
        if r.counts.warmupExcluded > 0 || (r.workload.warmup ?? 0) > 0 {
            measured += " (warm-up \(seconds(r.workload.warmup ?? 0)) excluded: \(warmupText(r.counts)))"
        }
        out.append(measured)

        let c = r.counts
        // A tool that reports only its own summary: bench has no counts or latencies of its own to show.
        let toolOnly = r.recipe.kind == "exec" && c.sent == 0 && c.completed == 0 && c.errorTotal == 0
        if toolOnly {
            out.append("  requests    counted by \(r.kindMetrics["tool"]?.text ?? "the tool") itself: its figures are under exec metrics "
                + "(bench counts requests from a per-request log, params.latency_log, or params.requests_metric)")
        } else {
            var requests = "  requests    sent \(count(c.sent))  completed \(count(c.completed))  ok \(count(c.ok))"
            requests += "  errors \(count(c.errorTotal))"
            let errorKinds = c.errors.filter { $0.value > 0 }.sorted { $0.key < $1.key }
            if !errorKinds.isEmpty {
                requests += " (" + errorKinds.map { "\($0.key) \(count($0.value))" }.joined(separator: ", ") + ")"
            }
            if c.reconnects > 0 { requests += "  reconnects \(count(c.reconnects))" }
            out.append(requests)
            if let codes = c.statusCodes, !codes.isEmpty {
                out.append("  statuses    " + codes.sorted { $0.key < $1.key }.map { "\($0.key) x\(count($0.value))" }.joined(separator: "  "))
            }
            let t = r.throughput
            out.append("  throughput  \(rate(t.requestsPerSecond)) req/s  (ok \(rate(t.okPerSecond))/s)  \(bytesRate(t.bytesPerSecond))")

            out.append("")
            out += latencyLines(r)
        }

        let measuredPoints = r.timeSeries.filter { !$0.warmup }
        if !measuredPoints.isEmpty && r.counts.completed > 0 {
            // The rate of a fragment of a second (where the warm-up or the run ended) is no second's rate:
            // min and max are over whole seconds, unless the run had none.
            let whole = measuredPoints.filter(\.isWholeSecond)
            let rates = (whole.isEmpty ? measuredPoints : whole).map(\.throughput)
            let partial = measuredPoints.count - whole.count
            let worst = measuredPoints.map(\.p99).max() ?? 0
            out.append("  per second  \(whole.count) s\(partial > 0 ? " + \(partial) partial" : ""): "
                + "req/s min \(rate(rates.min() ?? 0)) max \(rate(rates.max() ?? 0)), worst p99 \(millis(worst)) ms")
        }
        if !r.kindMetrics.isEmpty {
            out.append("")
            out.append("  \(r.recipe.kind) metrics")
            // The serialized histograms are for merging, not reading; the metrics beside them summarise them.
            for (key, value) in r.kindMetrics.sorted(by: { $0.key < $1.key }) where key != LLMHistograms.key && key != RunResult.execMergeKey {
                out.append("    \(key.padding(toLength: max(24, key.count), withPad: " ", startingAt: 0)) \(value.text)")
            }
        }
        if let monitor = r.monitor, !monitor.isEmpty {
            // The server's side of the story, from the monitors attached to the target.
            for (handle, section) in monitor.sorted(by: { $0.key < $1.key }) {
                guard case .object(let fields) = section, case .object(let queries)? = fields["queries"] else { continue }
                out.append("")
                // How much of the run the monitor saw, when not all of it (older results have no status: read as complete).
                if case .string(let status)? = fields["status"], status != "complete" {
                    let note = if case .string(let text)? = fields["note"] { ": " + text } else { "" }
                    out.append("  server side (monitor \(handle)): \(status)\(note)")
                    if status == "partial" && queries.isEmpty {
                        // What it saw is kept (Prometheus' TSDB, the sampler's store), only not summarised.
                        out.append("    'monitor restart \(handle)', then 'monitor export \(handle) --run \(r.run)', reads the samples it kept")
                    }
                } else if queries.isEmpty {
                    out.append("  server side (monitor \(handle)): no samples over the run")
                }
                // Never a header over an empty table.
                guard !queries.isEmpty else { continue }
                out.append("  server side (monitor \(handle), over the run)        mean          max         last")
                for (name, value) in queries.sorted(by: { $0.key < $1.key }) {
                    guard case .object(let stats) = value else { continue }
                    func cell(_ key: String) -> String {
                        guard case .number(let v)? = stats[key] else { return "-" }
                        return String(format: "%12.4g", v)
                    }
                    out.append("    \(name.padding(toLength: max(40, name.count), withPad: " ", startingAt: 0)) \(cell("mean")) \(cell("max")) \(cell("last"))")
                }
            }
        }
        if let parts = r.parts, !parts.isEmpty {
            out.append("  merged from \(parts.count) parts: " + parts.joined(separator: ", "))
        }
        return out
    }

    /// The live one-line progress: elapsed/total, req/s, p50/p99 so far, errors.
    ///
    /// - Parameters:
    ///   - elapsed: seconds since the run started (warm-up included).
    ///   - total: the run's planned length in seconds (warm-up included), when it is time-bound.
    public static func progressLine(snapshot s: AggregateSnapshot, elapsed: Double, total: Double?) -> String {
        let clock = total.map { "\(seconds(elapsed))/\(seconds($0))" } ?? seconds(elapsed)
        let warmup = Double(s.warmupEnd) / 1e9
        let measured = elapsed - warmup
        // Progress comes on whole seconds, and so does the end of a whole-second warm-up: a rate over the
        // few milliseconds since would be noise (10,000 req/s reported for a 1,000 req/s run).
        if measured < 0.25 {
            let failed = s.warmupFailed > 0 ? (s.warmupFailed == s.warmupRequests ? ", all failed" : ", \(count(s.warmupFailed)) failed") : ""
            return "\(clock)  warm-up  \(count(s.warmupRequests)) requests\(failed) (not measured)"
        }
        let perSecond = measured > 0 ? Double(s.completed) / measured : 0
        var line = "\(clock)  \(rate(perSecond)) req/s"
        if s.responseTime.totalCount > 0 {
            line += "  p50 \(millis(LatencyHistograms.millis(s.responseTime.valueAtPercentile(50)))) ms"
            line += "  p99 \(millis(LatencyHistograms.millis(s.responseTime.valueAtPercentile(99)))) ms"
        } else {
            line += "  p50 -  p99 -"
        }
        line += "  errors \(count(s.errorCount))"
        return line
    }

    /// The latency table, the percentile method and the client-bottleneck verdict. A table of zeros
    /// would read as a measurement: a run without answers says so instead.
    static func latencyLines(_ r: RunResult) -> [String] {
        guard r.latency.responseTime.count > 0 || r.latency.serviceTime.count > 0 else {
            return ["  latency     none measured: no request was answered"]
        }
        var out: [String] = []
        out.append("  latency (ms)".padding(toLength: 22, withPad: " ", startingAt: 0) + ["mean", "p50", "p90", "p95", "p99", "p99.9", "max"].map { pad($0, 9) }.joined() + "    count")
        let rows: [(String, LatencySummary)] = [
            ("response time", r.latency.responseTime),
            ("service time", r.latency.serviceTime),
            ("sender lag", r.latency.senderLag),
            ("time to 1st byte", r.latency.timeToFirstByte),
        ]
        for (name, s) in rows where name == "response time" || s.count > 0 {
            let values = [s.mean, s.p50, s.p90, s.p95, s.p99, s.p999, s.max].map { pad(millis($0), 9) }.joined()
            out.append("    " + name.padding(toLength: 18, withPad: " ", startingAt: 0) + values + "    " + count(s.count))
        }
        if r.recipe.kind == "exec" {
            out.append("  percentiles: \(r.percentiles), of the latencies in the tool's per-request log")
        } else {
            out.append("  percentiles: \(r.percentiles); response time from the scheduled send (coordinated-omission "
                + "corrected), service time from the actual send")
        }
        let b = r.clientBottleneck
        out.append("  client      " + (b.exceeded ? "WARNING: " : "") + b.note)
        return out
    }

    // MARK: Formatting

    /// What the warm-up did: `3,400 requests`, `3,400 requests, 12 failed`, or `400 attempts, all failed`.
    static func warmupText(_ c: RunResult.Counts) -> String {
        let failed = c.warmupFailed ?? 0
        if failed == 0 { return "\(count(c.warmupExcluded)) requests" }
        if failed == c.warmupExcluded { return "\(count(failed)) attempts, all failed" }
        return "\(count(c.warmupExcluded)) requests, \(count(failed)) failed"
    }

    static func targetText(_ t: RunResult.Target) -> String {
        let address = Endpoint.address(host: t.host, port: t.port)
        let port = t.portName.map { " (\($0))" } ?? ""
        return t.given == address ? address + port : "\(t.given) \(address)\(port)"
    }

    static func workloadText(_ w: RunResult.Workload) -> String {
        var parts: [String] = []
        if w.isOpenLoop {
            parts.append("open loop, \(w.rate.map { rate($0) } ?? "?") req/s \(w.arrival ?? "constant")")
            parts.append("up to \(w.connectionsCap ?? w.concurrency) connections")
        } else {
            parts.append("closed loop, \(w.concurrency) connections")
        }
        if let d = w.duration { parts.append(seconds(d)) }
        if let n = w.requests { parts.append("\(count(n)) request\(n == 1 ? "" : "s")") }
        parts.append("seed \(w.seed)")
        return parts.joined(separator: ", ")
    }

    /// The live line of a phase counted in items rather than requests (a chroma load's vectors):
    /// `load  12,000/100,000 vectors  4,100 vectors/s  errors 0`.
    public static func phaseProgressLine(_ phase: String, done: Int, total: Int, unit: String, elapsed: Double, errors: Int) -> String {
        "\(phase)  \(count(done))/\(count(total)) \(unit)  \(rate(elapsed > 0 ? Double(done) / elapsed : 0)) \(unit)/s  errors \(count(errors))"
    }

    /// `12,345`.
    public static func count(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, ch) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return n < 0 ? "-" + out : out
    }

    /// A rate with precision that suits its size: `0.25`, `12.5`, `4,938`.
    static func rate(_ value: Double) -> String {
        guard value.isFinite else { return "-" }
        if value >= 1000 { return count(Int(value.rounded())) }
        if value >= 10 { return String(format: "%.1f", value) }
        return String(format: "%.2f", value)
    }

    /// Milliseconds with three significant-ish digits: `0.042`, `1.23`, `12.3`, `1234`.
    static func millis(_ value: Double) -> String {
        if value >= 1000 { return String(format: "%.0f", value) }
        if value >= 100 { return String(format: "%.1f", value) }
        if value >= 1 { return String(format: "%.2f", value) }
        return String(format: "%.3f", value)
    }

    /// `25.0s`, or `1m05s` past a minute.
    static func seconds(_ value: Double) -> String {
        if value < 60 { return String(format: "%.1fs", value) }
        let whole = Int(value.rounded())
        return whole >= 3600 ? String(format: "%dh%02dm%02ds", whole / 3600, whole % 3600 / 60, whole % 60)
            : String(format: "%dm%02ds", whole / 60, whole % 60)
    }

    static func bytesRate(_ value: Double) -> String {
        let units: [(String, Double)] = [("GiB", 1_073_741_824), ("MiB", 1_048_576), ("KiB", 1024)]
        for (name, size) in units where value >= size {
            return String(format: "%.1f ", value / size) + name + "/s"
        }
        return String(format: "%.0f B/s", value)
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? " " + text : String(repeating: " ", count: width - text.count) + text
    }
}
