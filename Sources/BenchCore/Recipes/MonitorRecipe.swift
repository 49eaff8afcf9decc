/// What watches the servers while clients run: a Prometheus bench deploys, or the built-in sampler.
public struct MonitorRecipe: Sendable, Equatable {
    public let name: String
    public let description: String
    public let type: MonitorType
    /// Time between samples: the scrape interval for Prometheus, `interval` for the sampler.
    public let interval: BenchDuration
    /// nil for the sampler.
    public let prometheus: PrometheusSpec?
    /// Host-level exporters started with the monitor (empty for the sampler).
    public let exporters: [ExporterKind]
    /// Named PromQL expressions summarised per run, in file order (empty for the sampler).
    public let queries: [NamedQuery]

    public init(name: String, description: String = "", type: MonitorType = .prometheus,
                interval: BenchDuration = BenchDuration(seconds: 1), prometheus: PrometheusSpec? = PrometheusSpec(),
                exporters: [ExporterKind] = [.node], queries: [NamedQuery] = []) {
        self.name = name
        self.description = description
        self.type = type
        self.interval = interval
        self.prometheus = prometheus
        self.exporters = exporters
        self.queries = queries
    }
}

/// The monitor implementations.
public enum MonitorType: String, CaseIterable, Sendable {
    /// A real Prometheus, deployed and queried by bench.
    case prometheus
    /// bench's own sampler of process CPU and memory, for machines without Prometheus.
    case sampler
}

/// The Prometheus a monitor deploys.
public struct PrometheusSpec: Sendable, Equatable {
    public let scrapeInterval: BenchDuration
    public let retention: BenchDuration
    public let port: PortValue
    /// The executable to run (PATH is searched). Default `prometheus`.
    public let binary: String

    public init(scrapeInterval: BenchDuration = BenchDuration(seconds: 1), retention: BenchDuration = BenchDuration(seconds: 86_400),
                port: PortValue = .auto, binary: String = "prometheus") {
        self.scrapeInterval = scrapeInterval
        self.retention = retention
        self.port = port
        self.binary = binary
    }
}

/// Host-level exporters a monitor can start (Debian's prometheus-*-exporter packages).
public enum ExporterKind: String, CaseIterable, Sendable {
    case node, redis, postgres, nginx
}

/// A PromQL expression with the name reports show for it.
public struct NamedQuery: Sendable, Equatable {
    public let name: String
    public let promql: String

    public init(name: String, promql: String) {
        self.name = name
        self.promql = promql
    }
}
