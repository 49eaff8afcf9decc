import BenchCore

/// Something a monitor scrapes: a server's metrics endpoint (its own or its exporter's), plus
/// the process group whose CPU and memory the built-in sampler reads from /proc.
public struct MonitorTarget: Sendable, Equatable {
    /// The target's name: the server handle (`s1`); also the target file's name.
    public var name: String
    public var host: String
    /// The metrics port; nil when the server has no metrics endpoint (the sampler then reads
    /// only /proc, Prometheus cannot scrape it).
    public var port: Int?
    public var metricsPath: String
    /// Extra labels on every series of the target (`handle`, `recipe`, `session`).
    public var labels: [String: String]
    /// The local server's process group (for /proc), when it runs on this machine.
    public var processGroup: Int32?

    public init(name: String, host: String, port: Int?, metricsPath: String = "/metrics",
                labels: [String: String] = [:], processGroup: Int32? = nil) {
        self.name = name
        self.host = host
        self.port = port
        self.metricsPath = metricsPath
        self.labels = labels
        self.processGroup = processGroup
    }

    /// `host:port` of the metrics endpoint, as Prometheus' `instance` label shows it.
    public var address: String? {
        port.map { Endpoint.address(host: host, port: $0) }
    }
}
