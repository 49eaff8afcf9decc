import Foundation
import Yams

extension RecipeLoader {
    static let serviceFields = ["command", "script", "workdir"]
    static let containerFields = ["image", "binds", "gpu"]
    static let readinessFields = ["type", "port", "path", "status", "body", "line", "regex", "stream", "command", "timeout", "interval"]
    static let readinessFieldsByType: [ReadinessType: [String]] = [
        .http: ["port", "path", "status", "body"],
        .tcp: ["port"],
        .log: ["line", "regex", "stream"],
        .command: ["command"],
    ]
    static let metricsFields = ["port", "path", "exporter"]
    static let exporterFields = ["command", "port", "env"]
    static let resourceFields = ["nodes", "cpu_cores", "memory_gb", "gpu_count", "time_limit", "partition"]

    static func server(_ map: RecipeReader.Map, _ r: RecipeReader, name: String, description: String) -> ServerRecipe {
        // Ports and settings first: placeholders elsewhere are checked against them.
        let ports = serverPorts(map, r)
        let portNames = ports.names
        var settings: [String: String] = [:]
        if let node = map.value("settings"),
           let pairs = r.stringMap(node, "settings", what: "a mapping of setting names to default values", keyRule: .identifier) {
            for pair in pairs { settings[pair.key] = pair.value }
        }
        let settingNames = Array(settings.keys)
        func template(_ text: String, _ node: Node, _ path: String) {
            r.checkPlaceholders(text, node: node, path: path, ports: portNames, settings: settingNames)
        }
        func templatedArgv(_ node: Node, _ path: String, hint: String = "") -> [String]? {
            guard let items = r.argv(node, path, hint: hint) else { return nil }
            for (index, item) in items.enumerated() { template(item.value, item.node, "\(path)[\(index)]") }
            return items.map(\.value)
        }
        func templatedEnv(_ node: Node, _ path: String) -> [String: String] {
            var env: [String: String] = [:]
            guard let pairs = r.stringMap(node, path, what: "a mapping of variable names to values", keyRule: .environment) else { return env }
            for pair in pairs {
                template(pair.value, pair.valueNode, "\(path).\(pair.key)")
                env[pair.key] = pair.value
            }
            return env
        }
        /// A port name that must be declared; `defaulted` when the recipe did not give it.
        func declaredPort(_ value: String, node: Node, path: String, defaulted: Bool) -> Bool {
            if portNames.contains(value) { return true }
            let declared = portNames.isEmpty ? "no ports are declared" : "declared: \(portNames.joined(separator: ", "))"
            let hint = Suggestions.didYouMean(value, in: portNames)
            r.report(node, path, defaulted
                ? "defaults to '\(value)', which is not declared in 'ports' (\(declared))"
                : "'\(value)' is not declared in 'ports'\(hint.isEmpty ? " (\(declared))" : hint)")
            return false
        }

        // service
        var program = ServiceProgram.command(["true"])
        var workdir = "{{dir}}"
        if let node = r.required(map, "service"),
           let service = r.mapping(node, "service", fields: serviceFields, what: "a mapping with 'command' or 'script'") {
            let command = service.value("command"), script = service.value("script")
            switch (command, script) {
            case (nil, nil):
                r.report(service.node, "service", "missing 'command' (an argv list) or 'script' (a shell body)")
            case (.some, .some):
                r.report(service.node, "service", "give either 'command' or 'script', not both")
            case (let command?, nil):
                let hint = "; write the program and its arguments as a list, e.g. [redis-server, --port, '{{port.main}}'], or use 'script' for a shell body"
                if let argv = templatedArgv(command, "service.command", hint: hint) { program = .command(argv) }
            case (nil, let script?):
                if let body = r.nonEmptyString(script, "service.script") {
                    template(body, script, "service.script")
                    program = .script(body)
                }
            }
            if let node = service.value("workdir"), let value = r.nonEmptyString(node, "service.workdir") {
                template(value, node, "service.workdir")
                workdir = value
            }
        }

        let env = map.value("env").map { templatedEnv($0, "env") } ?? [:]

        // container
        var container: ContainerSpec?
        if let node = map.value("container"), let m = r.mapping(node, "container", fields: containerFields) {
            var image = ""
            if let node = r.required(m, "image"), let value = r.nonEmptyString(node, "container.image") {
                template(value, node, "container.image")
                image = value
            }
            var binds: [String] = []
            if let node = m.value("binds"), let items = r.stringList(node, "container.binds") {
                for (index, item) in items.enumerated() { template(item.value, item.node, "container.binds[\(index)]") }
                binds = items.map(\.value)
            }
            let gpu = m.value("gpu").flatMap { r.bool($0, "container.gpu") } ?? false
            container = ContainerSpec(image: image, binds: binds, gpu: gpu)
        }

        // readiness
        var readiness: ReadinessSpec?
        if let node = map.value("readiness"), let m = r.mapping(node, "readiness", fields: readinessFields) {
            let type = r.required(m, "type").flatMap { r.choice($0, "readiness.type", as: ReadinessType.self) }
            if let type {
                let own = readinessFieldsByType[type] ?? []
                for key in m.keys where !own.contains(key) && !["type", "timeout", "interval"].contains(key) {
                    r.forbid(m, key, "not used by readiness type '\(type.rawValue)' (its fields: \((own + ["timeout", "interval"]).joined(separator: ", ")))")
                }
            }
            func readinessPort() -> String {
                if let node = m.value("port") {
                    guard let value = r.nonEmptyString(node, "readiness.port") else { return "main" }
                    _ = declaredPort(value, node: node, path: "readiness.port", defaulted: false)
                    return value
                }
                _ = declaredPort("main", node: m.node, path: "readiness.port", defaulted: true)
                return "main"
            }
            var check = ReadinessCheck.tcp(port: "main")
            switch type {
            case .http?:
                let port = readinessPort()
                let path = m.value("path").flatMap { urlPath($0, "readiness.path", r) } ?? "/"
                let status = m.value("status").flatMap { r.int($0, "readiness.status", min: 100, max: 599) } ?? 200
                let body = m.value("body").flatMap { r.string($0, "readiness.body") }
                check = .http(port: port, path: path, status: status, body: body)
            case .tcp?:
                check = .tcp(port: readinessPort())
            case .log?:
                let stream = m.value("stream").flatMap { r.choice($0, "readiness.stream", as: LogStream.self) } ?? .any
                switch (m.value("line"), m.value("regex")) {
                case (nil, nil):
                    r.report(m.node, "readiness.line", "missing required field ('line' for text the log line contains, or 'regex')")
                case (.some, .some):
                    r.report(m.node, "readiness", "give either 'line' or 'regex', not both")
                case (let line?, nil):
                    if let text = r.nonEmptyString(line, "readiness.line") { check = .log(.text(text), stream: stream) }
                case (nil, let regex?):
                    if let pattern = r.nonEmptyString(regex, "readiness.regex") {
                        do {
                            _ = try NSRegularExpression(pattern: pattern)
                            check = .log(.regex(pattern), stream: stream)
                        } catch {
                            r.report(regex, "readiness.regex", "'\(pattern)' is not a valid regular expression")
                        }
                    }
                }
            case .command?:
                if let node = r.required(m, "command"), let argv = templatedArgv(node, "readiness.command") {
                    check = .command(argv)
                }
            case nil:
                break
            }
            let timeout = m.value("timeout").flatMap { positiveDuration($0, "readiness.timeout", r) } ?? BenchDuration(seconds: 30)
            let interval = m.value("interval").flatMap { positiveDuration($0, "readiness.interval", r) } ?? BenchDuration(seconds: 0.2)
            readiness = ReadinessSpec(check: check, timeout: timeout, interval: interval)
        }

        // metrics
        var metrics: MetricsSpec?
        if let node = map.value("metrics"), let m = r.mapping(node, "metrics", fields: metricsFields) {
            let path = m.value("path").flatMap { urlPath($0, "metrics.path", r) } ?? "/metrics"
            var port = "main"
            var exporter: ExporterSpec?
            switch (m.value("port"), m.value("exporter")) {
            case (nil, nil):
                r.report(m.node, "metrics", "missing 'port' (the service serves its own metrics) or 'exporter' (a process started beside it)")
            case (.some, .some):
                r.forbid(m, "port", "give 'port' only when the service serves its own metrics; an exporter's port goes under metrics.exporter.port")
            case (let node?, nil):
                if let value = r.nonEmptyString(node, "metrics.port") {
                    _ = declaredPort(value, node: node, path: "metrics.port", defaulted: false)
                    port = value
                }
            case (nil, let node?):
                if let e = r.mapping(node, "metrics.exporter", fields: exporterFields) {
                    var command: [String] = []
                    if let node = r.required(e, "command"), let argv = templatedArgv(node, "metrics.exporter.command") { command = argv }
                    if let node = r.required(e, "port"), let value = r.nonEmptyString(node, "metrics.exporter.port") {
                        _ = declaredPort(value, node: node, path: "metrics.exporter.port", defaulted: false)
                        port = value
                    }
                    let env = e.value("env").map { templatedEnv($0, "metrics.exporter.env") } ?? [:]
                    exporter = ExporterSpec(command: command, env: env)
                }
            }
            metrics = MetricsSpec(port: port, path: path, exporter: exporter)
        }

        // resources
        var resources = ResourceSpec()
        if let node = map.value("resources"), let m = r.mapping(node, "resources", fields: resourceFields) {
            resources = ResourceSpec(
                nodes: m.value("nodes").flatMap { r.int($0, "resources.nodes", min: 1) } ?? 1,
                cpuCores: m.value("cpu_cores").flatMap { r.int($0, "resources.cpu_cores", min: 1) } ?? 1,
                memoryGB: m.value("memory_gb").flatMap { r.number($0, "resources.memory_gb", above: 0) } ?? 1,
                gpuCount: m.value("gpu_count").flatMap { r.int($0, "resources.gpu_count", min: 0) } ?? 0,
                timeLimit: m.value("time_limit").flatMap { positiveDuration($0, "resources.time_limit", r) } ?? BenchDuration(seconds: 3600),
                partition: m.value("partition").flatMap { r.nonEmptyString($0, "resources.partition") })
        }

        return ServerRecipe(
            name: name, description: description, service: ServiceSpec(program: program, workdir: workdir),
            env: env, ports: ports.values, container: container, readiness: readiness, metrics: metrics,
            resources: resources, settings: settings)
    }

    /// The declared ports; `names` includes ports whose value was wrong, so they are not reported twice.
    private static func serverPorts(_ map: RecipeReader.Map, _ r: RecipeReader) -> (values: [NamedPort], names: [String]) {
        var values: [NamedPort] = []
        var names: [String] = []
        guard let node = map.value("ports"),
              let m = r.mapping(node, "ports", fields: nil, what: "a mapping of port names to 'auto' or a port number") else {
            return (values, names)
        }
        var fixed: [Int: String] = [:]
        for pair in m.pairs {
            let path = m.childPath(pair.key)
            guard RecipeReader.NameRule.identifier.accepts(pair.key) else {
                r.report(pair.keyNode, path, "port \(RecipeReader.NameRule.identifier.problem)")
                continue
            }
            names.append(pair.key)
            guard let value = r.port(pair.value, path) else { continue }
            if case .fixed(let number) = value {
                if let other = fixed[number] {
                    r.report(pair.value, path, "port \(number) is also given to '\(other)'")
                    continue
                }
                fixed[number] = pair.key
            }
            values.append(NamedPort(name: pair.key, value: value))
        }
        return (values, names)
    }
}
