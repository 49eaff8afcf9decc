import BenchCore
import BenchPlacement

/// Resolves `--target` (a handle or alias, a URL, host:port, or nothing) to where a run sends.
public enum ClientTargetResolver {
    /// A server of the session, as the resolver needs to see it (the shell lists them).
    public struct Server: Sendable {
        public let handle: Handle
        public let recipeName: String
        public let state: ServerState
        public let endpoint: Endpoint

        public init(handle: Handle, recipeName: String, state: ServerState, endpoint: Endpoint) {
            self.handle = handle
            self.recipeName = recipeName
            self.state = state
            self.endpoint = endpoint
        }
    }

    /// A handle or alias of a ready server, a URL, or host:port; or the one live server of the recipe's service.
    public static func resolve(_ given: String?, portName: String?, recipe: ClientRecipe, servers: [Server],
                               handles: HandleTable) throws -> ClientTargetSpec {
        let wantedPort = portName ?? recipe.target?.port ?? "main"
        guard let given else {
            let service = recipe.target?.service
            let candidates = servers.filter { $0.state.isLive && (service == nil || $0.recipeName == service) }
            guard candidates.count == 1, let only = candidates.first else {
                let what = service.map { "a running '\($0)' server" } ?? "a running server"
                let list = candidates.map(\.handle.description).joined(separator: ", ")
                throw BenchError.usage("client run: --target is needed: \(candidates.isEmpty ? "there is no \(what)" : "several match (\(list))"); give a server handle, a URL or host:port")
            }
            return try serverTarget(only.handle, portName: wantedPort, given: only.handle.description, servers: servers)
        }
        if let handle = try? handles.resolve(given, as: .server) {
            return try serverTarget(handle, portName: wantedPort, given: given, servers: servers)
        }
        if Handle(parsing: given)?.kind == .server || (!given.contains(":") && !given.contains(".")) {
            // Looks like a handle or an alias: say which exist.
            do {
                _ = try handles.resolve(given, as: .server)
            } catch let error as BenchError {
                throw BenchError("client run: --target \(given): \(error.message)", kind: error.kind)
            }
        }
        let address: ClientTargetSpec
        do {
            address = try ClientTargetSpec(address: given)
        } catch let error as BenchError {
            throw BenchError("client run: \(error.message)", kind: error.kind)
        }
        try checkAddress(address, against: recipe)
        return address
    }

    /// A warning when the target is a server of another recipe than the one the client recipe was
    /// written for (`chat-short` against a chroma server answers 404 to every request). Only a warning:
    /// a recipe of one's own may serve the same protocol under another name.
    public static func serviceMismatch(_ target: ClientTargetSpec, recipe: ClientRecipe, servers: [Server]) -> String? {
        guard let service = recipe.target?.service, let handle = target.server,
              let instance = servers.first(where: { $0.handle == handle }), instance.recipeName != service else { return nil }
        return "client recipe '\(recipe.name)' was written for '\(service)' servers, but \(handle) runs '\(instance.recipeName)'; "
            + "sending anyway (a run in which nothing succeeds fails)"
    }

    /// A URL's scheme and path must agree with the recipe, which says what is sent; the address only
    /// says where. (Ignored quietly, `http://host/status` would have measured the recipe's path.)
    public static func checkAddress(_ address: ClientTargetSpec, against recipe: ClientRecipe) throws {
        guard let scheme = address.scheme else { return }
        let given = address.given
        let speaks = switch recipe.kind {
        case .http, .openai, .chroma: "http"
        case .redis: "redis"
        case .memcached: "memcached"
        case .exec: scheme
        }
        if scheme != "tcp" && scheme != speaks {
            throw BenchError.usage("client run: --target \(given): a \(scheme) address, but recipe '\(recipe.name)' is of kind \(recipe.kind.rawValue); "
                + "give \(speaks)://host:port or host:port")
        }
        let path = address.path
        if !path.isEmpty && path != "/" {
            let how = recipe.kind == .http ? " and --set path=\(path)" : ""
            throw BenchError.usage("client run: --target \(given): the request path comes from recipe '\(recipe.name)', not from the address; "
                + "give \(given.dropLast(path.count))\(how)")
        }
    }

    private static func serverTarget(_ handle: Handle, portName: String, given: String, servers: [Server]) throws -> ClientTargetSpec {
        guard let instance = servers.first(where: { $0.handle == handle }) else { throw BenchError("\(handle): no such server instance") }
        guard instance.state == .ready else {
            throw BenchError("client run: target \(handle) (\(instance.recipeName)) is not ready: \(instance.state)\(instance.state == .starting ? "; 'wait \(handle)' first" : "")")
        }
        guard let port = instance.endpoint.ports[portName] else {
            let names = instance.endpoint.ports.keys.sorted()
            throw BenchError.usage("client run: --port \(portName): server \(handle) (\(instance.recipeName)) has no port '\(portName)'\(Suggestions.didYouMean(portName, in: names)) (ports: \(names.joined(separator: ", ")))")
        }
        return ClientTargetSpec(given: given, host: instance.endpoint.host, port: port, portName: portName, server: handle)
    }
}
