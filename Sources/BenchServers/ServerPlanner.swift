import BenchCore
import BenchPlacement
import Foundation

/// Fills a server recipe in for one instance: checks `server start`'s request against the recipe,
/// picks ports and renders every placeholder into an `InstancePlan`. Pure but for the local port
/// checks, which it is handed, so tests say which ports are taken.
struct ServerPlanner: Sendable {
    /// The address local services bind to and clients connect to.
    let host: String
    /// `{{cache}}`: built binaries, models, virtual environments.
    let cacheDirectory: String
    let sessionName: String
    let sessionDirectory: URL
    /// bench's environment, under the recipe's own `env`.
    let environment: [String: String]
    /// Whether a port is taken on the host (a fixed port must be free).
    var portInUse: @Sendable (String, Int) -> Bool = { PortAllocator.isInUse(host: $0, port: $1) }
    /// A free port on the host, not among those already given out.
    var freePort: @Sendable (String, Set<Int>) throws -> Int = { try PortAllocator.freePort(host: $0, excluding: $1) }

    func validate(_ request: ServerManager.StartRequest, recipe: ServerRecipe) throws {
        guard request.count >= 1 else { throw BenchError.usage("--count must be at least 1") }
        for key in request.settings.keys.sorted() where recipe.settings[key] == nil {
            let known = recipe.settings.keys.sorted()
            let valid = known.isEmpty ? "it has no settings" : "its settings: \(known.joined(separator: ", "))"
            throw BenchError.usage("--set \(key): recipe '\(recipe.name)' has no setting '\(key)'\(Suggestions.didYouMean(key, in: known)) (\(valid))")
        }
        for name in request.ports.keys.sorted() where recipe.port(named: name) == nil {
            throw BenchError.usage("--port \(name): recipe '\(recipe.name)' has no port '\(name)'\(Suggestions.didYouMean(name, in: recipe.portNames)) (ports: \(recipe.portNames.joined(separator: ", ")))")
        }
        if request.count > 1 {
            let fixed = recipe.ports.filter { request.ports[$0.name] != nil || $0.value != .auto }.map(\.name)
            if !fixed.isEmpty {
                throw BenchError.usage("--count \(request.count): port \(fixed.joined(separator: ", ")) is fixed, so the instances would collide; use 'auto' ports for several instances")
            }
        }
    }

    /// Fills in ports and placeholders for one instance. `remote`: the host and auto ports are decided
    /// where the job runs, so they stay shell variables of the batch script (`SbatchQuoting.reference`).
    /// - Parameter restarting: the instance keeps its ports, so a taken one cannot be changed with `--port`.
    func plan(handle: Handle, recipe: ServerRecipe, sha256: String, request: ServerManager.StartRequest, remote: Bool,
                          portsTaken: inout Set<Int>, restarting: Bool = false) throws -> InstancePlan {
        var ports: [String: Int] = [:]
        var nodeValues: [String: String] = [:]
        for port in recipe.ports {
            if let number = request.ports[port.name] ?? (port.value == .auto ? nil : { if case .fixed(let n) = port.value { return n }; return nil }()) {
                if remote {
                    ports[port.name] = number
                    continue
                }
                if portsTaken.contains(number) || portInUse(host, number) {
                    let remedy = restarting
                        ? "a restart keeps \(handle)'s ports: free that one, or start a new instance with 'server start \(recipe.name) --port \(port.name)=N'"
                        : "pick another with --port \(port.name)=N"
                    throw BenchError("port \(port.name)=\(number) is already in use on \(host); \(remedy)")
                }
                ports[port.name] = number
            } else if remote {
                nodeValues["port.\(port.name)"] = SbatchQuoting.reference(SbatchQuoting.portVariable(port.name))
                continue
            } else {
                ports[port.name] = try freePort(host, portsTaken)
            }
            portsTaken.insert(ports[port.name]!)
        }
        let dataDirectory = sessionDirectory.appendingPathComponent("data/\(handle)").path
        let logDirectory = sessionDirectory.appendingPathComponent("logs/\(handle)").path
        var values = ["host": remote ? SbatchQuoting.reference("BENCH_HOST") : host, "dir": dataDirectory, "cache": cacheDirectory,
                      "session": sessionDirectory.path]
        for (name, number) in ports { values["port.\(name)"] = String(number) }
        values.merge(nodeValues) { $1 }
        for (key, value) in recipe.settings.merging(request.settings, uniquingKeysWith: { $1 }) { values["set.\(key)"] = value }
        func render(_ text: String) throws -> String { try RecipePlaceholders.render(text, values: values) }

        let argv: [String]
        switch recipe.service.program {
        case .command(let words): argv = try words.map(render)
        case .script(let body): argv = ["/bin/sh", "-c", try render(body)]
        }
        var environment = self.environment
        let overrides = try recipe.env.mapValues(render)
        environment.merge(overrides) { $1 }
        let exporter = try recipe.metrics?.exporter.map { try $0.command.map(render) }
        let exporterEnvironment = try (recipe.metrics?.exporter?.env ?? [:]).mapValues(render)
        let container = try recipe.container.map { ContainerSpec(image: try render($0.image), binds: try $0.binds.map(render), gpu: $0.gpu) }
        return InstancePlan(
            handle: handle, recipe: recipe, endpoint: Endpoint(host: remote ? "" : host, ports: ports), argv: argv, environment: environment,
            workingDirectory: try render(recipe.service.workdir), dataDirectory: dataDirectory, logDirectory: logDirectory,
            exporterArgv: exporter, exporterEnvironment: exporterEnvironment, environmentOverrides: overrides, container: container,
            sessionName: sessionName, sessionDirectory: sessionDirectory.path, recipeSHA256: sha256, placement: request.placement)
    }

    static func url(_ recipe: ServerRecipe, _ endpoint: Endpoint) -> String? {
        guard case .http(let port, _, _, _)? = recipe.readiness?.check, let address = endpoint.address(port) else { return nil }
        return "http://\(address)/"
    }
}
