import BenchCore

/// Where a client run sends: a server handle's endpoint, or an address bench did not start.
public struct ClientTargetSpec: Sendable, Equatable {
    /// As the user gave it (`s1`, `cache`, `http://10.0.0.5:8080`), recorded in the result.
    public let given: String
    public let host: String
    public let port: Int
    /// The server's port name, when the target is a handle.
    public let portName: String?
    /// The server handle, when the target is one (its death ends the run as target-failed).
    public let server: Handle?
    /// An address's URL scheme, lowercased (nil: none given, or a handle).
    public let scheme: String?
    /// What followed an address's host and port (`/status`; empty when nothing did).
    public let path: String

    public init(given: String, host: String, port: Int, portName: String?, server: Handle?, scheme: String? = nil, path: String = "") {
        self.given = given
        self.host = host
        self.port = port
        self.portName = portName
        self.server = server
        self.scheme = scheme
        self.path = path
    }

    /// Parses `http://host:port[/…]`, `redis://host:port`, `memcached://host:port`, `host:port` or `[v6]:port`.
    public init(address: String) throws {
        var rest = Substring(address)
        var scheme: String?
        if let separator = rest.range(of: "://") {
            let name = rest[..<separator.lowerBound].lowercased()
            guard ["http", "redis", "memcached", "tcp"].contains(name) else {
                throw BenchError.usage("--target \(address): scheme '\(name)' is not supported (http, redis, memcached, tcp; https needs TLS, which bench's load engine does not speak)")
            }
            scheme = name
            rest = rest[separator.upperBound...]
            if name == "http" && !rest.contains(":") {
                let hostOnly = rest.prefix { $0 != "/" }
                self.init(given: address, host: String(hostOnly), port: 80, portName: nil, server: nil, scheme: name,
                          path: String(rest.dropFirst(hostOnly.count)))
                return
            }
        }
        let authority = rest.prefix { $0 != "/" }
        let host: Substring
        let portText: Substring
        if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
            host = authority[authority.index(after: authority.startIndex)..<close]
            portText = authority[close...].dropFirst().drop { $0 == ":" }
        } else if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            portText = authority[authority.index(after: colon)...]
        } else {
            throw BenchError.usage("--target \(address): expected a server handle (s1), an alias, a URL (http://host:port) or host:port")
        }
        guard !host.isEmpty, let port = Int(portText), (1...65535).contains(port) else {
            throw BenchError.usage("--target \(address): '\(portText)' is not a port (1 to 65535)")
        }
        self.init(given: address, host: String(host), port: port, portName: nil, server: nil, scheme: scheme,
                  path: String(rest.dropFirst(authority.count)))
    }
}
