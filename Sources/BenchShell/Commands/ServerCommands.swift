import BenchCore
import BenchPlacement
import BenchServers
import Foundation

/// `server start|status|health|logs|stop|restart|stop-all`, `wait` and `detach`: servers by handle.
enum ServerCommands {
    static let all: [CommandSpec] = [start, status, health, logs, stop, restart, stopAll, wait, detach]

    private static let handleArgument: ArgumentKey<String> = .one("HANDLE", "a server handle (s1) or alias", type: .handle(.server),
                                                                  completion: .handles(.server))
    private static let handlesArgument: ArgumentKey<[String]> = .oneOrMore("HANDLE", "server handles (s1 s2) or aliases", type: .handle(.server),
                                                                          completion: .handles(.server))
    private static let grace: OptionKey<BenchDuration> = .duration("grace", "DURATION", "how long to wait after SIGTERM before SIGKILL",
                                                                   default: BenchDuration(seconds: 10))

    /// `server start`'s argument and options.
    private enum Start {
        static let recipe: ArgumentKey<String> = .one("RECIPE", "a server recipe name (see 'server list')", completion: .recipes(.server))
        static let count: OptionKey<Int> = .integer("count", "N", "how many instances", min: 1, default: 1)
        static let name: OptionKey<String?> = .string("name", "ALIAS", "an alias for the handle (ALIAS-1, ALIAS-2, … with --count)")
        static let set: OptionKey<[KeyValuePair]> = .pairs("set", "KEY=VALUE", "a value for the recipe's {{set.KEY}}")
        static let port: OptionKey<[KeyValuePair]> = .pairs("port", "NAME=NUMBER", "fix a named port's number")
        static let on: OptionKey<WhereToRun?> = .choice("on", "WHERE", "where to run: local (default: the 'orchestrator' setting)")
        static let noWait: OptionKey<Bool> = .flag("no-wait", "return once launched; 'wait HANDLE' waits later")
        static let partition: OptionKey<String?> = .string("partition", "NAME", "SLURM partition for the job (with --on slurm)")
        static let time: OptionKey<BenchDuration?> = .duration("time", "DURATION", "SLURM time limit of the job (with --on slurm)")
        static let nodes: OptionKey<Int?> = .integer("nodes", "N", "SLURM nodes per job (with --on slurm)", min: 1)
        static let dryRun: OptionKey<Bool> = .flag("dry-run", "print the sbatch script(s) without submitting (with --on slurm)")
        /// The options that only mean something with `--on slurm`.
        static let slurm = OptionGroup([partition.spec, time.spec, nodes.spec, dryRun.spec])
    }

    static let start = CommandSpec(
        ["server", "start"], area: .servers, abstract: "Start server instances from a recipe (handles s1, s2, …)",
        discussion: """
        Each instance runs as local processes in its own process group, with its own ports (free ones
        unless fixed), data folder ({{dir}}) and logs (sessions/NAME/logs/sN/). The command returns
        when every instance passes the recipe's readiness probe, or fails with the reason and the
        last log lines after stopping what it started.

        With --on slurm each instance is one sbatch job, rendered from the recipe's resources and
        SLURM_ACCOUNT, SLURM_PARTITION, SLURM_QOS, SLURM_TIME_LIMIT (environment or .env; the account
        is never recorded). The job picks free ports on its node and writes a discovery file into the
        session folder, which must be on a file system the nodes share; bench then probes readiness
        from here. Queue waits are shown; Ctrl-C while pending cancels the job. --dry-run prints the
        script without submitting it.
        """,
        arguments: [Start.recipe.spec],
        options: [Start.count.spec, Start.name.spec, Start.set.spec, Start.port.spec, Start.on.spec, Start.noWait.spec] + Start.slurm.specs,
        examples: ["server start redis", "server start redis --count 2", "server start nginx --port main=8080 --name web",
                   "server start llama-smollm2 --set threads=2", "server start redis --on slurm --partition debug --time 30m",
                   "server start llama-smollm2 --on slurm --dry-run"],
        recording: .always
    ) { invocation, context in
        let ports = try invocation[Start.port].reduce(into: [String: Int]()) { result, pair in
            guard let number = Int(pair.value), (1...65535).contains(number) else {
                throw BenchError.usage("server start: --port \(pair.key)=\(pair.value): the number must be 1 to 65535")
            }
            result[pair.key] = number
        }
        let settings = Dictionary(invocation[Start.set].map { ($0.key, $0.value) }, uniquingKeysWith: { $1 })
        let request = ServerManager.StartRequest(
            recipe: invocation[Start.recipe], count: invocation[Start.count], alias: invocation[Start.name],
            settings: settings, ports: ports,
            orchestrator: invocation[Start.on]?.rawValue ?? context.session.settings["orchestrator"] ?? "local",
            wait: !invocation[Start.noWait],
            placement: SlurmPlacement(partition: invocation[Start.partition], timeLimit: invocation[Start.time],
                                      nodes: invocation[Start.nodes]))
        let console = context.console
        if invocation[Start.dryRun] {
            // Nothing is submitted and no handle is taken: nothing to record either.
            context.suppressRecording = true
            for rendered in try await context.servers.dryRun(request) {
                context.console.write("# \(rendered.handle): \(rendered.command)\n" + rendered.script)
            }
            return
        }
        let handles = try await context.servers.start(request) { console.info($0) }
        for handle in handles { context.produced(handle) }
        var rows: [[String]] = []
        for handle in handles {
            guard let instance = await context.servers.instance(handle) else { continue }
            rows.append(row(instance))
        }
        context.table(["HANDLE", "RECIPE", "STATE", "PID", "ENDPOINT"], rows)
    }

    /// `server status`'s argument.
    private enum Status {
        static let handle: ArgumentKey<String?> = .optional("HANDLE", "one server in detail", type: .handle(.server), completion: .handles(.server))
    }

    static let status = CommandSpec(
        ["server", "status"], area: .servers, abstract: "Show servers: state, pid, endpoint, uptime, CPU and memory of the process tree",
        arguments: [Status.handle.spec],
        examples: ["server status", "server status s1"]
    ) { invocation, context in
        await context.servers.checkForDeaths()
        if let text = invocation[Status.handle] {
            let handle = try context.session.handles.resolve(text, as: .server)
            guard let instance = await context.servers.instance(handle) else { throw BenchError("\(handle): no such server instance") }
            let usage = await context.servers.usage(handle)
            var lines: [[String]] = [
                ["handle:", handle.description + (instance.alias.map { " (\($0))" } ?? "")],
                ["recipe:", "\(instance.recipeName) (sha256 \(instance.recipeSHA256.prefix(12))…)"],
                ["state:", stateText(instance)],
                ["orchestrator:", instance.orchestrator],
                ["host:", instance.endpoint.host.isEmpty ? "(not yet known: the job has not started)" : instance.endpoint.host],
            ]
            if let pid = instance.pid, let group = instance.runtime.localProcessGroup {
                lines.insert(["pid:", "\(pid) (process group \(group))"], at: 4)
            }
            lines += instance.endpoint.ports.sorted { $0.key < $1.key }.map { ["port \($0.key):", String($0.value)] }
            if let url = instance.url { lines.append(["url:", url]) }
            lines += await context.servers.details(handle).map { [$0.0, $0.1] }
            lines.append(["started:", ISO8601DateFormatter().string(from: instance.startedAt)])
            if instance.state.isLive { lines.append(["uptime:", uptime(instance)]) }
            if let usage { lines.append(["cpu:", String(format: "%.2fs in %d process%@", usage.cpuSeconds, usage.processCount, usage.processCount == 1 ? "" : "es")]) }
            if let usage { lines.append(["rss:", ByteSize(bytes: usage.rssBytes).description]) }
            if let exporter = instance.runtime.exporterPid { lines.append(["exporter:", "pid \(exporter)"]) }
            lines.append(["logs:", DisplayPath.of(URL(fileURLWithPath: instance.logDirectory))])
            lines.append(["data:", DisplayPath.of(URL(fileURLWithPath: instance.dataDirectory))])
            context.columns(lines)
            return
        }
        let instances = await context.servers.all
        guard !instances.isEmpty else {
            context.print("no servers in this session (start one with 'server start RECIPE')")
            return
        }
        var rows: [[String]] = []
        for instance in instances {
            let usage = await context.servers.usage(instance.handle)
            rows.append(row(instance) + [
                instance.state.isLive ? uptime(instance) : "-",
                usage.map { String(format: "%.2fs", $0.cpuSeconds) } ?? "-",
                usage.map { ByteSize(bytes: $0.rssBytes).description } ?? "-",
            ])
        }
        context.table(["HANDLE", "RECIPE", "STATE", "PID", "ENDPOINT", "UPTIME", "CPU", "RSS"], rows)
    }

    static let health = CommandSpec(
        ["server", "health"], area: .servers, abstract: "Run a server's readiness probe now",
        arguments: [handleArgument.spec], examples: ["server health s1"]
    ) { invocation, context in
        let handle = try context.session.handles.resolve(invocation[handleArgument], as: .server)
        switch try await context.servers.health(handle) {
        case .ready: context.print("\(handle): healthy")
        case .notReady(let reason): throw BenchError("\(handle): not healthy: \(reason)")
        }
    }

    /// `server logs`'s options.
    private enum Logs {
        static let stderr: OptionKey<Bool> = .flag("stderr", "show standard error instead of standard output")
        static let exporter: OptionKey<Bool> = .flag("exporter", "show the metrics exporter's log instead of the service's")
        static let tail: OptionKey<Int?> = .integer("tail", "N", "show only the last N lines", min: 1)
        static let follow: OptionKey<Bool> = .flag("follow", short: "f", "keep printing new lines until Ctrl-C")
    }

    static let logs = CommandSpec(
        ["server", "logs"], area: .servers, abstract: "Show a server's output (stdout, or stderr), optionally following it",
        arguments: [handleArgument.spec],
        options: [Logs.stderr.spec, Logs.exporter.spec, Logs.tail.spec, Logs.follow.spec],
        examples: ["server logs s1", "server logs s1 --stderr --tail 20", "server logs s1 --follow"]
    ) { invocation, context in
        let handle = try context.session.handles.resolve(invocation[handleArgument], as: .server)
        guard let instance = await context.servers.instance(handle) else { throw BenchError("\(handle): no such server instance") }
        let stream = invocation[Logs.stderr] ? "stderr" : "stdout"
        let path = instance.logDirectory + (invocation[Logs.exporter] ? "/exporter.\(stream).log" : "/\(stream).log")
        try await context.showLog(path: path, owner: handle, tail: invocation[Logs.tail], follow: invocation[Logs.follow])
    }

    static let stop = CommandSpec(
        ["server", "stop"], area: .servers, abstract: "Stop servers: SIGTERM to each process group, SIGKILL after the grace period",
        arguments: [handlesArgument.spec],
        options: [grace.spec],
        examples: ["server stop s1", "server stop s1 s2 --grace 2s"], recording: .always
    ) { invocation, context in
        let handles = try invocation[handlesArgument].map { try context.session.handles.resolve($0, as: .server) }
        let grace = invocation[ServerCommands.grace]
        try await context.servers.stop(handles, grace: .milliseconds(Int64(grace.seconds * 1000)))
        context.print("stopped \(handles.map(\.description).joined(separator: " "))")
    }

    static let restart = CommandSpec(
        ["server", "restart"], area: .servers, abstract: "Stop a server and start it again with the same handle, ports and settings",
        arguments: [handleArgument.spec], examples: ["server restart s1"], recording: .always
    ) { invocation, context in
        let handle = try context.session.handles.resolve(invocation[handleArgument], as: .server)
        let console = context.console
        try await context.servers.restart(handle) { console.info($0) }
        if let instance = await context.servers.instance(handle) {
            context.table(["HANDLE", "RECIPE", "STATE", "PID", "ENDPOINT"], [row(instance)])
        }
    }

    static let stopAll = CommandSpec(
        ["server", "stop-all"], area: .servers, abstract: "Stop every running server of the session",
        options: [grace.spec],
        examples: ["server stop-all"], recording: .always
    ) { invocation, context in
        let grace = invocation[ServerCommands.grace]
        let stopped = await context.servers.stopAll(grace: .milliseconds(Int64(grace.seconds * 1000)))
        context.print(stopped.isEmpty ? "no running servers" : "stopped \(stopped.map(\.description).joined(separator: " "))")
    }

    private static let waitTimeout: OptionKey<BenchDuration?> = .duration("timeout", "DURATION",
                                                                          "give up after this long (default: each recipe's readiness timeout)")

    static let wait = CommandSpec(
        ["wait"], area: .servers, abstract: "Wait until servers started with --no-wait are ready",
        arguments: [handlesArgument.spec],
        options: [waitTimeout.spec],
        examples: ["wait s1", "wait s1 s2 --timeout 60s"], recording: .always
    ) { invocation, context in
        let handles = try invocation[handlesArgument].map { try context.session.handles.resolve($0, as: .server) }
        let console = context.console
        try await context.servers.waitUntilReady(handles, timeout: invocation[waitTimeout]) { console.info($0) }
        context.print("ready: \(handles.map(\.description).joined(separator: " "))")
    }

    static let detach = CommandSpec(
        ["detach"], area: .session, abstract: "Leave bench, keeping the session's servers running ('bench --attach NAME' resumes)",
        examples: ["detach"], recording: .always
    ) { _, context in
        // 'bench --attach' resumes a recorded session; an unrecorded one has no script to continue and its folder goes at exit.
        guard context.session.isRecorded else {
            throw BenchError.usage("detach: this session runs with --no-record, so there is nothing to attach to later; "
                + "start bench without --no-record to keep servers running across benches")
        }
        await context.servers.detach()
        let live = await context.servers.liveHandles.map(\.description)
        context.print("detached from session \(context.session.name)\(live.isEmpty ? "" : " leaving \(live.joined(separator: " ")) running"); resume with: bench --attach \(context.session.name)")
        context.shell.requestDetach()
    }

    // MARK: Rendering

    static func row(_ instance: ServerInstance) -> [String] {
        let endpoint = instance.url ?? instance.endpoint.address("main") ?? instance.endpoint.ports.sorted { $0.key < $1.key }.first.flatMap { instance.endpoint.address($0.key) } ?? instance.endpoint.host
        let process = instance.runtime.listing
        return [instance.handle.description + (instance.alias.map { " (\($0))" } ?? ""), instance.recipeName, stateText(instance),
                process, endpoint.isEmpty ? "(pending)" : endpoint]
    }

    static func stateText(_ instance: ServerInstance) -> String {
        guard let ended = instance.state.endedAt else { return instance.state.description }
        return "\(instance.state) at \(ClockTime.string(ended))"
    }

    static func uptime(_ instance: ServerInstance) -> String {
        BenchDuration(seconds: Date().timeIntervalSince(instance.startedAt).rounded()).description
    }
}
