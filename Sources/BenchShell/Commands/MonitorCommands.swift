import BenchCore
import BenchPlacement
import BenchMonitors
import BenchServers
import Foundation

/// `monitor start|attach|detach|query|targets|export|logs|stop|restart|status`: Prometheus (or the sampler) by handle.
enum MonitorCommands {
    static let all: [CommandSpec] = [start, attach, detach, query, targets, export, logs, stop, restart, status]

    private static let monitorArgument: ArgumentKey<String> = .one("MONITOR", "a monitor handle (m1)", type: .handle(.monitor),
                                                                   completion: .handles(.monitor))

    /// `monitor start`'s argument and options.
    private enum Start {
        static let recipe: ArgumentKey<String> = .one("RECIPE", "a monitor recipe (see 'monitor list')", completion: .recipes(.monitor))
        static let orSampler: OptionKey<Bool> = .flag("or-sampler", "where Prometheus is not installed, start the built-in sampler instead of failing")
        static let on: OptionKey<WhereToRun?> = .choice("on", "WHERE",
                                                        "where Prometheus runs: local (default) or slurm (a job; server jobs register with it)")
        static let partition: OptionKey<String?> = .string("partition", "NAME", "SLURM partition of the Prometheus job (with --on slurm)")
        static let time: OptionKey<BenchDuration?> = .duration("time", "DURATION",
                                                               "SLURM time limit of the Prometheus job (default SLURM_TIME_LIMIT, else 8h)")
    }

    static let start = CommandSpec(
        ["monitor", "start"], area: .monitors, abstract: "Deploy a monitor (a real Prometheus with node_exporter, or the built-in sampler) → m1",
        arguments: [Start.recipe.spec],
        options: [Start.orSampler.spec, Start.on.spec, Start.partition.spec, Start.time.spec],
        examples: ["monitor start prometheus", "monitor start sampler", "monitor start prometheus --or-sampler", "monitor start prometheus --on slurm"],
        recording: .always
    ) { invocation, context in
        context.console.info("starting \(invocation[Start.recipe]) (Prometheus is ready once its first scrape lands, about 6 s)")
        let console = context.console
        let onSlurm = invocation[Start.on] == .slurm
        let placement = SlurmPlacement(partition: invocation[Start.partition], timeLimit: invocation[Start.time])
        let handle = try await context.monitors.start(recipeName: invocation[Start.recipe], orSampler: invocation[Start.orSampler],
                                                      onSlurm: onSlurm, placement: placement) { line in
            if line.hasPrefix("prometheus:") { console.info(line) } else { console.warning(line) }
        }
        context.produced(handle)
        context.print("\(handle) ready (\(DisplayPath.of(context.session.directory.appendingPathComponent("monitors/\(handle)"))))")
    }

    private static let attachServers: ArgumentKey<[String]> = .oneOrMore("SERVER", "server handles", type: .handle(.server),
                                                                         completion: .handles(.server))

    static let attach = CommandSpec(
        ["monitor", "attach"], area: .monitors, abstract: "Scrape servers' metrics (their endpoint or exporter) with a monitor; no reload",
        arguments: [monitorArgument.spec, attachServers.spec],
        examples: ["monitor attach m1 s1 s2"], recording: .always
    ) { invocation, context in
        let monitor = try context.session.handles.resolve(invocation[monitorArgument], as: .monitor)
        let servers = try invocation[attachServers].map { try context.session.handles.resolve($0, as: .server) }
        for server in servers {
            guard let instance = await context.servers.instance(server) else { throw BenchError("\(server): no such server instance") }
            let attachable = AttachableServer(
                handle: instance.handle, alias: instance.alias, recipeName: instance.recipeName,
                state: instance.state, endpoint: instance.endpoint, localProcessGroup: instance.runtime.localProcessGroup,
                registersScrapeTarget: await context.servers.registersScrapeTarget(server),
                metrics: await context.servers.recipe(for: server)?.metrics)
            try await context.monitors.attach(monitor, server: attachable)
        }
        // A run started next should find samples from before its start.
        await context.monitors.settle(monitor, servers: servers)
        context.print("\(monitor) scrapes \(servers.map(\.description).joined(separator: " "))")
    }

    private static let detachServer: ArgumentKey<String> = .one("SERVER", "a server handle", type: .handle(.server), completion: .handles(.server))

    static let detach = CommandSpec(
        ["monitor", "detach"], area: .monitors, abstract: "Stop scraping a server",
        arguments: [monitorArgument.spec, detachServer.spec],
        examples: ["monitor detach m1 s1"], recording: .always
    ) { invocation, context in
        let monitor = try context.session.handles.resolve(invocation[monitorArgument], as: .monitor)
        let server = try context.session.handles.resolve(invocation[detachServer], as: .server)
        try await context.monitors.detach(monitor, server: server)
        context.print("\(monitor) no longer scrapes \(server)")
    }

    /// `monitor query`'s argument and options.
    private enum Query {
        static let promql: ArgumentKey<String> = .one("PROMQL", "the query (quote it)")
        static let range: OptionKey<BenchDuration?> = .duration("range", "DURATION", "query the last DURATION instead of the current value")
        static let step: OptionKey<BenchDuration?> = .duration("step", "DURATION", "resolution of a range query (default: the scrape interval)")
    }

    static let query = CommandSpec(
        ["monitor", "query"], area: .monitors, abstract: "Run a PromQL query now (or over --range) and print a table",
        arguments: [monitorArgument.spec, Query.promql.spec],
        options: [Query.range.spec, Query.step.spec],
        examples: ["monitor query m1 'rate(redis_commands_processed_total[5s])'", "monitor query m1 up --range 1m --step 5s"]
    ) { invocation, context in
        let monitor = try context.session.handles.resolve(invocation[monitorArgument], as: .monitor)
        let series = try await context.monitors.query(monitor, promql: invocation[Query.promql],
                                                      range: invocation[Query.range]?.seconds, step: invocation[Query.step]?.seconds)
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
        arguments: [monitorArgument.spec], examples: ["monitor targets m1"]
    ) { invocation, context in
        let monitor = try context.session.handles.resolve(invocation[monitorArgument], as: .monitor)
        let list = try await context.monitors.targets(monitor)
        context.table(["JOB", "HANDLE", "URL", "HEALTH", "LAST ERROR"], list.map {
            [$0.scrapePool, $0.labels["handle"] ?? "", $0.scrapeURL, $0.health.rawValue, $0.lastError]
        })
    }

    /// `monitor export`'s options.
    private enum Export {
        static let run: OptionKey<String?> = .handle("run", "RUN", "the window of a client run", kind: .run)
        static let last: OptionKey<BenchDuration?> = .duration("last", "DURATION", "the window ending now")
        static let from: OptionKey<String?> = .string("from", "TIME", "window start: ISO 8601 (2026-11-30T10:00:00Z), Unix seconds or HH:MM:SS today")
        static let to: OptionKey<String?> = .string("to", "TIME", "window end (default: now)")
        static let format: OptionKey<MonitorExportFormat> = .choice("format", "FORMAT", "file format", default: .json)
        static let out: OptionKey<String?> = .string("out", "FILE", "where to write (default: sessions/NAME/monitors/mN/export-…)", completion: .files)
        static let query: OptionKey<[KeyValuePair]> = .pairs("query", "NAME=PROMQL", "an extra query")
    }

    static let export = CommandSpec(
        ["monitor", "export"], area: .monitors, abstract: "Write the recipe's queries (and --query ones) over a run's window or a time range",
        arguments: [monitorArgument.spec],
        options: [Export.run.spec, Export.last.spec, Export.from.spec, Export.to.spec, Export.format.spec, Export.out.spec, Export.query.spec],
        examples: ["monitor export m1 --run r2", "monitor export m1 --last 5m --format csv --query 'rss=process_resident_memory_bytes'"],
        recording: .always
    ) { invocation, context in
        let monitor = try context.session.handles.resolve(invocation[monitorArgument], as: .monitor)
        let window: TimeWindow
        let label: String
        if let runText = invocation[Export.run] {
            let run = try context.session.handles.resolve(runText, as: .run)
            let url = context.session.directory.appendingPathComponent("runs/\(run).json")
            guard let data = FileManager.default.contents(atPath: url.path) else { throw BenchError("\(run): no result file yet") }
            let result = try RunResult.decode(from: data)
            window = TimeWindow(start: result.startedAt, end: result.endedAt)
            label = run.description
        } else if let from = invocation[Export.from] {
            let start = try parseTime(from, option: Export.from.name)
            let end = try invocation[Export.to].map { try parseTime($0, option: Export.to.name) } ?? Date()
            guard end > start else { throw BenchError.usage("monitor export: --to must be after --from") }
            window = TimeWindow(start: start, end: end)
            label = "\(Int(start.timeIntervalSince1970))-\(Int(end.timeIntervalSince1970))"
        } else if let last = invocation[Export.last] {
            window = TimeWindow(start: Date().addingTimeInterval(-last.seconds), end: Date())
            label = "last-\(last)"
        } else {
            throw BenchError.usage("monitor export: give --run rN, --last DURATION or --from TIME [--to TIME]")
        }
        let format = invocation[Export.format]
        let extra = invocation[Export.query].map { NamedQuery(name: $0.key, promql: $0.value) }
        let path = invocation[Export.out] ?? context.session.directory.appendingPathComponent("monitors/\(monitor)/export-\(label).\(format.rawValue)").path
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

    /// `monitor logs`' options.
    private enum Logs {
        static let exporter: OptionKey<Bool> = .flag("exporter", "show the node exporter's log instead of Prometheus'")
        static let tail: OptionKey<Int?> = .integer("tail", "N", "show only the last N lines", min: 1)
        static let follow: OptionKey<Bool> = .flag("follow", short: "f", "keep printing new lines until Ctrl-C")
    }

    static let logs = CommandSpec(
        ["monitor", "logs"], area: .monitors, abstract: "Show a Prometheus monitor's log (or its node exporter's), also after it died",
        arguments: [monitorArgument.spec],
        options: [Logs.exporter.spec, Logs.tail.spec, Logs.follow.spec],
        examples: ["monitor logs m1", "monitor logs m1 --tail 20", "monitor logs m1 --exporter"]
    ) { invocation, context in
        let monitor = try context.session.handles.resolve(invocation[monitorArgument], as: .monitor)
        let path = try await context.monitors.logPath(monitor, exporter: invocation[Logs.exporter])
        try await context.showLog(path: path, owner: monitor, tail: invocation[Logs.tail], follow: invocation[Logs.follow])
    }

    static let stop = CommandSpec(
        ["monitor", "stop"], area: .monitors, abstract: "Stop a monitor (its data stays in the session folder)",
        arguments: [monitorArgument.spec], examples: ["monitor stop m1"], recording: .always
    ) { invocation, context in
        let monitor = try context.session.handles.resolve(invocation[monitorArgument], as: .monitor)
        let before = try await context.monitors.stop(monitor)
        // A dead monitor was not running: say what bench cleared away, not that it stopped it.
        context.print(before.canQuery ? "stopped \(monitor)" : "\(monitor) had died (\(before)); stopped what it left running")
    }

    static let restart = CommandSpec(
        ["monitor", "restart"], area: .monitors,
        abstract: "Start a monitor again (dead or live) on the same targets with the same handle; Prometheus keeps its data",
        arguments: [monitorArgument.spec], examples: ["monitor restart m1"], recording: .always
    ) { invocation, context in
        let monitor = try context.session.handles.resolve(invocation[monitorArgument], as: .monitor)
        let before = await context.monitors.all.first { $0.handle == monitor }?.state
        context.console.info("restarting \(monitor)\(before.map { " (\($0))" } ?? "")")
        try await context.monitors.restart(monitor)
        guard let entry = await context.monitors.all.first(where: { $0.handle == monitor }) else { return }
        let attached = entry.attached.keys.sorted().map(\.description).joined(separator: " ")
        context.print("\(monitor) \(entry.state) (\(await entry.monitor.identity()))\(attached.isEmpty ? "" : ", scrapes \(attached)")")
    }

    static let status = CommandSpec(
        ["monitor", "status"], area: .monitors, abstract: "List the session's monitors, their state and what they scrape",
        examples: ["monitor status"]
    ) { _, context in
        let entries = await context.monitors.all
        guard !entries.isEmpty else {
            context.print("no monitors in this session (start one with 'monitor start prometheus')")
            return
        }
        var rows: [[String]] = []
        for entry in entries {
            rows.append([entry.handle.description, entry.recipe, entry.state.description, await entry.monitor.identity(),
                         entry.attached.keys.sorted().map(\.description).joined(separator: " "),
                         DisplayPath.of(URL(fileURLWithPath: entry.directory))])
        }
        context.table(["MONITOR", "RECIPE", "STATE", "PROCESS", "ATTACHED", "FOLDER"], rows)
    }
}
