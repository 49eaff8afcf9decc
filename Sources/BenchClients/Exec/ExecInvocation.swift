import BenchCore
import Foundation

/// The argvs of one exec run with every placeholder filled: setup commands, the warm-up (the
/// measured command shortened to the warm-up) and the measured command.
///
/// Rendering happens before the run takes a handle, so a recipe that cannot describe this run
/// (`{{rate}}` in a closed loop, `--requests` for a tool told nothing of it) is refused up front.
struct ExecInvocation: Sendable {
    let setup: [[String]]
    /// Nil when the run has no warm-up.
    let warmup: [String]?
    let measured: [String]
    /// Whether the tool is told the run's length; otherwise it decides itself and bench only bounds it.
    let toolKnowsDuration: Bool
    /// The per-request log's file pattern, rendered like the command.
    let latencyLogFiles: String?

    /// Renders `params` for a run against `host:port` in `runDirectory`.
    static func render(_ params: ExecParams, plan: LoadPlan, host: String, port: Int, portName: String,
                       runDirectory: String) throws -> ExecInvocation {
        let used = Set(params.command.flatMap(RecipePlaceholders.names))
        let usesDuration = used.contains("duration_s")
        let usesRequests = used.contains("requests")
        if plan.requests != nil && !usesRequests {
            throw BenchError.usage("client run: --requests: this exec recipe's command has no {{requests}}, so the tool cannot be told to stop after a count; use --duration")
        }
        if plan.warmup > 0 && !usesDuration {
            throw BenchError.usage("client run: --warmup \(BenchDuration(seconds: plan.warmup)): this exec recipe's command has no {{duration_s}}, "
                + "so no shorter warm-up run can be made; use --warmup 0s")
        }
        func values(duration: Double?) -> [String: String] {
            var v: [String: String] = [
                "host": host, "port": String(port), "port.\(portName)": String(port), "concurrency": String(plan.concurrency),
                "seed": String(plan.seed), "run_dir": runDirectory,
            ]
            // A whole number of seconds: tools take integers (pgbench -T, memcslap --time).
            if let duration { v["duration_s"] = String(max(1, Int(duration.rounded(.up)))) }
            if let rate = plan.rate { v["rate"] = rate == rate.rounded() ? String(Int(rate)) : String(rate) }
            if let requests = plan.requests { v["requests"] = String(requests) }
            for (key, value) in params.settings { v["set.\(key)"] = value }
            return v
        }
        func render(_ argv: [String], _ values: [String: String], _ what: String) throws -> [String] {
            try argv.map { word in
                do {
                    return try RecipePlaceholders.render(word, values: values)
                } catch let error as BenchError {
                    let names = RecipePlaceholders.names(in: word)
                    let why = names.contains("rate") ? " (it needs --rate R)"
                        : names.contains("duration_s") ? " (it needs --duration; this tool runs for a time)"
                        : names.contains("requests") ? " (it needs --requests N; this tool stops after a count, not a time)" : ""
                    throw BenchError.usage("client run: \(what): \(error.message)\(why)")
                }
            }
        }
        let measuredValues = values(duration: plan.duration)
        return ExecInvocation(
            setup: try params.setup.enumerated().map { try render($0.element, measuredValues, "params.setup[\($0.offset)]") },
            warmup: plan.warmup > 0 ? try render(params.command, values(duration: plan.warmup), "params.command") : nil,
            measured: try render(params.command, measuredValues, "params.command"),
            toolKnowsDuration: usesDuration,
            latencyLogFiles: try params.latencyLog.map { try render([$0.files], measuredValues, "params.latency_log.files")[0] })
    }
}
