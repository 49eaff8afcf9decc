/// Where a running service answers: a host and its named ports, as clients and monitors bind to it.
public struct Endpoint: Sendable, Equatable, Codable {
    public var host: String
    /// Port numbers by the recipe's port names (`main`, `metrics`, …).
    public var ports: [String: Int]

    public init(host: String, ports: [String: Int]) {
        self.host = host
        self.ports = ports
    }

    /// `host:port` for a named port.
    public func address(_ portName: String) -> String? {
        ports[portName].map { Endpoint.address(host: host, port: $0) }
    }

    /// `127.0.0.1:6379` or `[::1]:6379`: how every message, `Host` header and command line writes an address.
    public static func address(host: String, port: Int) -> String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    /// `main=6379 metrics=9121`: the ports in name order, as progress lines show them.
    public var portList: String { ports.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ") }
}
