import BenchCore
import BenchPlacement
import BenchMonitors
import BenchServers
import Foundation

/// `monitor start|attach|detach|query|targets|export|stop|status`: Prometheus (or the sampler) by handle.
enum MonitorCommands {
    static let all: [CommandSpec] = [start, attach, detach, query, targets, export, stop, status]

    private static let monitorArgument = ArgumentSpec("MONITOR", "a monitor handle (m1)", type: .handle(.monitor), completion: .handles(.monitor))

    static let start = CommandSpec(
        ["monitor", "start"], area: .monitors, abstract: "Deploy a monitor (a real Prometheus with node_exporter, or the built-in sampler) → m1",
        arguments: [ArgumentSpec("RECIPE", "a monitor recipe (see 'monitor list')", completion: .recipes(.monitor))],
        options: [
            .flag("or-sampler", "where Prometheus is not installed, start the built-in sampler instead of failing"),
            .value("on", "WHERE", "where Prometheus runs: local (default) or slurm (a job; server jobs register with it)", type: .choice(["local", "slurm"])),
            .value("partition", "NAME", "SLURM partition of the Prometheus job (with --on slurm)"),
            .value("time", "DURATION", "SLURM time limit of the Prometheus job (default SLURM_TIME_LIMIT, else 8h)", type: .duration),
        ],
        examples: ["monitor start prometheus", "monitor start sampler", "monitor start prometheus --or-sampler", "monitor start prometheus --on slurm"],
        recording: .always
    ) { invocation, context in
        context.console.info("starting \(invocation.argument("RECIPE")!) (Prometheus is ready once its first scrape lands, about 6 s)")
        let console = context.console
        let onSlurm = invocation.option("on") == "slurm"
        let placement = SlurmPlacement(partition: invocation.option("partition"), timeLimit: invocation.duration("time"))
        let handle = try await context.monitors.start(recipeName: invocation.argument("RECIPE")!, orSampler: invocation.flag("or-sampler"),
                                                      onSlurm: onSlurm, placement: placement) { line in
            if line.hasPrefix("prometheus:") { console.info(line) } else { console.warning(line) }
        }
        context.produced(handle)
        context.print("\(handle) ready (\(DisplayPath.of(context.session.directory.appendingPathComponent("monitors/\(handle)"))))")
    }

    static let attach = CommandSpec(
        ["monitor", "attach"], area: .monitors, abstract: "Scrape servers' metrics (their endpoint or exporter) with a monitor; no reload",
        arguments: [monitorArgument, ArgumentSpec("SERVER", "server handles", arity: .oneOrMore, type: .handle(.server), completion: .handles(.server))],
        examples: ["monitor attach m1 s1 s2"], recording: .always
    ) { invocation, context in
        let monitor = try context.session.handles.resolve(invocation.argument("MONITOR")!, as: .monitor)
        let servers = try invocation.argumentList("SERVER").map { try context.session.handles.resolve($0, as: .server) }
        for server in servers {
            guard let instance = await context.servers.instance(server) else { throw BenchError("\(server): no such server instance") }
            try await context.monitors.attach(monitor, server: instance, recipe: await context.servers.recipe(for: server))
        }
        // A run started next should find samples from before its start.
        await context.monitors.settle(monitor, servers: servers)
        context.print("\(monitor) scrapes \(servers.map(\.description).joined(separator: " "))")
    }

    static let detach = CommandSpec(
        ["monitor", "detach"], area: .monitors, abstract: "Stop scraping a server",
        arguments: [monitorArgument, ArgumentSpec("SERVER", "a server handle", type: .handle(.server), completion: .handles(.server))],
        examples: ["monitor detach m1 s1"], recording: .always
    ) { invocation, context in
        let monitor = try context.session.handles.resolve(invocation.argument("MONITOR")!, as: .monitor)
        let server = try context.session.handles.resolve(invocation.argument("SERVER")!, as: .server)
        try await context.monitors.detach(monitor, server: server)
        context.print("\(monitor) no longer scrapes \(server)")
    }

    static let query = CommandSpec(
        ["monitor", "query"], area: .monitors, abstract: "Run a PromQL query now (or over --range) and print a table",
        arguments: [monitorArgument, ArgumentSpec("PROMQL", "the query (quote it)")],
        options: [
            .value("range", "DURATION", "query the last DURATION instead of the current value", type: .duration),
            .value("step", "DURATION", "resolution of a range query (default: the scrape interval)", type: .duration),
        ],
        examples: ["monitor query m1 'rate(redis_commands_processed_total[5s])'", "monitor query m1 up --range 1m --step 5s"]
    ) { invocation, context in
        let monitor = try context.session.handles.resolve(invocation.argument("MONITOR")!, as: .monitor)
        let series = try await context.monitors.query(monitor, promql: invocation.argument("PROMQL")!,
                                                      range: invocation.duration("range")?.seconds, step: invocation.duration("step")?.seconds)
        guard !series.isEmpty else {
            context.print("(no series)")
            return
        }
        var rows: [[String]] = []
        for s in series {
            for sample in s.values {
                rows.append([s.labelText, ClockTime.string(Date(timeIntervalSince1970: sample.time)), String(format: "%g", sample.value)])
            }
        }
        context.table(["SERIES", "TIME", "VALUE"], rows)
    }

    static let targets = CommandSpec(
        ["monitor", "targets"], area: .monitors, abstract: "Show each scrape target's health and last error",
        arguments: [monitorArgument], examples: ["monitor targets m1"]
    ) { invocation, context in
        let monitor = try context.session.handles.resolve(invocation.argument("MONITOR")!, as: .monitor)
        let list = try await context.monitors.targets(monitor)
        context.table(["JOB", "HANDLE", "URL", "HEALTH", "LAST ERROR"], list.map {
            [$0.scrapePool, $0.labels["handle"] ?? "", $0.scrapeURL, $0.health.rawValue, $0.lastError]
        })
    }

    static let export = CommandSpec(
        ["monitor", "export"], area: .monitors, abstract: "Write the recipe's queries (and --query ones) over a run's window or a time range",
        arguments: [monitorArgument],
        options: [
            .value("run", "RUN", "the window of a client run", type: .handle(.run), completion: .handles(.run)),
            .value("last", "DURATION", "the window ending now", type: .duration),
            .value("from", "TIME", "window start: ISO 8601 (2026-11-30T10:00:00Z), Unix seconds or HH:MM:SS today"),
            .value("to", "TIME", "window end (default: now)"),
            .value("format", "FORMAT", "file format", type: .choice(["json", "csv"]), default: "json"),
            .value("out", "FILE", "where to write (default: sessions/NAME/monitors/mN/export-…)", completion: .files),
            .value("query", "NAME=PROMQL", "an extra query", type: .keyValue, repeatable: true),
        ],
        examples: ["monitor export m1 --run r2", "monitor export m1 --last 5m --format csv --query 'rss=process_resident_memory_bytes'"],
        recording: .always
    ) { invocation, context in
        let monitor = try context.session.handles.resolve(invocation.argument("MONITOR")!, as: .monitor)
        let window: TimeWindow
        let label: String
        if let runText = invocation.option("run") {
            let run = try context.session.handles.resolve(runText, as: .run)
            let url = context.session.directory.appendingPathComponent("runs/\(run).json")
            guard let data = FileManager.default.contents(atPath: url.path) else { throw BenchError("\(run): no result file yet") }
            let result = try RunResult.decode(from: data)
            window = TimeWindow(start: result.startedAt, end: result.endedAt)
            label = run.description
        } else if let from = invocation.option("from") {
            let start = try parseTime(from, option: "from")
            let end = try invocation.option("to").map { try parseTime($0, option: "to") } ?? Date()
            guard end > start else { throw BenchError.usage("monitor export: --to must be after --from") }
            window = TimeWindow(start: start, end: end)
            label = "\(Int(start.timeIntervalSince1970))-\(Int(end.timeIntervalSince1970))"
        } else if let last = invocation.duration("last") {
            window = TimeWindow(start: Date().addingTimeInterval(-last.seconds), end: Date())
            label = "last-\(last)"
        } else {
            throw BenchError.usage("monitor export: give --run rN, --last DURATION or --from TIME [--to TIME]")
        }
        let format = MonitorExportFormat(rawValue: invocation.option("format")!)!
        let extra = invocation.keyValuePairs("query").map { NamedQuery(name: $0.key, promql: $0.value) }
        let path = invocation.option("out") ?? context.session.directory.appendingPathComponent("monitors/\(monitor)/export-\(label).\(format.rawValue)").path
        try await context.monitors.export(monitor, window: window, extra: extra, format: format, to: path)
        context.print("wrote \(DisplayPath.of(URL(fileURLWithPath: path)))")
    }

    /// ISO 8601, Unix seconds, or a wall-clock time today.
    static func parseTime(_ text: String, option: String) throws -> Date {
        if let seconds = Double(text) { return Date(timeIntervalSince1970: seconds) }
        let iso = ISO8601DateFormatter()
        if let date = iso.date(from: text) { return date }
        let clock = DateFormatter()
        clock.locale = Locale(identifier: "en_US_POSIX")
        clock.dateFormat = "yyyy-MM-dd HH:mm:ss"
        let today = String(clock.string(from: Date()).prefix(10))
        if let date = clock.date(from: "\(today) \(text)") { return date }
        throw BenchError.usage("monitor export: --\(option) \(text): expected ISO 8601 (2026-11-30T10:00:00Z), Unix seconds or HH:MM:SS")
    }

    static let stop = CommandSpec(
        ["monitor", "stop"], area: .monitors, abstract: "Stop a monitor (its data stays in the session folder)",
        arguments: [monitorArgument], examples: ["monitor stop m1"], recording: .always
    ) { invocation, context in
        let monitor = try context.session.handles.resolve(invocation.argument("MONITOR")!, as: .monitor)
        try await context.monitors.stop(monitor)
        context.print("stopped \(monitor)")
    }

    static let status = CommandSpec(
        ["monitor", "status"], area: .monitors, abstract: "List the session's monitors and what they scrape",
        examples: ["monitor status"]
    ) { _, context in
        let entries = await context.monitors.all
        guard !entries.isEmpty else {
            context.print("no monitors in this session (start one with 'monitor start prometheus')")
            return
        }
        context.table(["MONITOR", "RECIPE", "STATE", "ATTACHED", "FOLDER"], entries.map {
            [$0.handle.description, $0.recipe, $0.running ? "running" : "stopped",
             $0.attached.keys.sorted().map(\.description).joined(separator: " "), DisplayPath.of(URL(fileURLWithPath: $0.directory))]
        })
    }
}
