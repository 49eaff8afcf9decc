/// A service bench can start: how to run it, its ports, when it is ready and where its metrics are.
public struct ServerRecipe: Sendable, Equatable {
    public let name: String
    public let description: String
    public let service: ServiceSpec
    /// Extra environment for the service process; values may hold placeholders.
    public let env: [String: String]
    /// Named ports in file order.
    public let ports: [NamedPort]
    public let container: ContainerSpec?
    /// nil: the instance is ready as soon as its process is running.
    public let readiness: ReadinessSpec?
    public let metrics: MetricsSpec?
    public let resources: ResourceSpec
    /// Defaults for `{{set.KEY}}` placeholders; `--set KEY=VALUE` overrides one for a start.
    public let settings: [String: String]

    public init(
        name: String, description: String = "", service: ServiceSpec, env: [String: String] = [:],
        ports: [NamedPort] = [], container: ContainerSpec? = nil, readiness: ReadinessSpec? = nil,
        metrics: MetricsSpec? = nil, resources: ResourceSpec = ResourceSpec(), settings: [String: String] = [:]
    ) {
        self.name = name
        self.description = description
        self.service = service
        self.env = env
        self.ports = ports
        self.container = container
        self.readiness = readiness
        self.metrics = metrics
        self.resources = resources
        self.settings = settings
    }

    /// The declared port names, in file order.
    public var portNames: [String] { ports.map(\.name) }

    /// The value declared for the port `name`, if it is declared.
    public func port(named name: String) -> PortValue? {
        ports.first { $0.name == name }?.value
    }
}

/// A port number as a recipe gives it.
public enum PortValue: Sendable, Equatable, CustomStringConvertible {
    /// Allocate a free port when the instance starts.
    case auto
    case fixed(Int)

    public var description: String {
        switch self {
        case .auto: return "auto"
        case .fixed(let number): return String(number)
        }
    }
}

/// One entry of a recipe's `ports`.
public struct NamedPort: Sendable, Equatable {
    public let name: String
    public let value: PortValue

    public init(name: String, value: PortValue) {
        self.name = name
        self.value = value
    }
}

/// The process a server runs.
public struct ServiceSpec: Sendable, Equatable {
    public let program: ServiceProgram
    /// Working directory of the process; may hold placeholders. Default `{{dir}}`, the instance folder.
    public let workdir: String

    public init(program: ServiceProgram, workdir: String = "{{dir}}") {
        self.program = program
        self.workdir = workdir
    }
}

/// How the service process is started.
public enum ServiceProgram: Sendable, Equatable {
    /// An argv list, executed directly (PATH is searched for the first word).
    case command([String])
    /// A shell body run by `/bin/sh -c`; it should `exec` the long-running process.
    case script(String)
}

/// The container a server runs in under Apptainer (SLURM); ignored by the local orchestrator.
public struct ContainerSpec: Sendable, Equatable {
    public let image: String
    /// `host:container[:options]` bind mounts; may hold placeholders.
    public let binds: [String]
    /// Pass the GPUs through (`--nv`).
    public let gpu: Bool

    public init(image: String, binds: [String] = [], gpu: Bool = false) {
        self.image = image
        self.binds = binds
        self.gpu = gpu
    }
}

/// How bench decides that a started instance is ready for clients.
public struct ReadinessSpec: Sendable, Equatable {
    public let check: ReadinessCheck
    /// Give up (and stop the instance) after this long. Default 30s.
    public let timeout: BenchDuration
    /// Pause between two probes. Default 200ms.
    public let interval: BenchDuration

    public init(check: ReadinessCheck, timeout: BenchDuration = BenchDuration(seconds: 30),
                interval: BenchDuration = BenchDuration(seconds: 0.2)) {
        self.check = check
        self.timeout = timeout
        self.interval = interval
    }
}

/// The readiness probe types.
public enum ReadinessType: String, CaseIterable, Sendable {
    case http, tcp, log, command
}

/// One readiness probe.
public enum ReadinessCheck: Sendable, Equatable {
    /// `GET http://host:PORT/PATH` answers `status` (and contains `body`, when given).
    case http(port: String, path: String, status: Int, body: String?)
    /// A TCP connection to the named port succeeds.
    case tcp(port: String)
    /// A line of the output matches.
    case log(LogPattern, stream: LogStream)
    /// The command (argv, placeholders allowed) exits with status 0.
    case command([String])

    public var type: ReadinessType {
        switch self {
        case .http: return .http
        case .tcp: return .tcp
        case .log: return .log
        case .command: return .command
        }
    }
}

/// What a `log` readiness probe looks for in a line.
public enum LogPattern: Sendable, Equatable {
    /// The line contains this text.
    case text(String)
    /// The line matches this regular expression (NSRegularExpression syntax).
    case regex(String)
}

/// Which output a `log` readiness probe reads.
public enum LogStream: String, CaseIterable, Sendable {
    case stdout, stderr, any
}

/// Where Prometheus scrapes a server's metrics.
public struct MetricsSpec: Sendable, Equatable {
    /// The named port that serves the metrics: the service's own, or the exporter's.
    public let port: String
    /// HTTP path of the metrics. Default `/metrics`.
    public let path: String
    /// A process started beside the service that exposes its metrics; nil when the service does.
    public let exporter: ExporterSpec?

    public init(port: String, path: String = "/metrics", exporter: ExporterSpec? = nil) {
        self.port = port
        self.path = path
        self.exporter = exporter
    }
}

/// A metrics exporter started (and stopped) with each instance.
public struct ExporterSpec: Sendable, Equatable {
    /// argv; placeholders allowed.
    public let command: [String]
    /// Extra environment; values may hold placeholders.
    public let env: [String: String]

    public init(command: [String], env: [String: String] = [:]) {
        self.command = command
        self.env = env
    }
}

/// What one instance asks of a cluster (SLURM); the local orchestrator only reports it.
public struct ResourceSpec: Sendable, Equatable {
    public let nodes: Int
    public let cpuCores: Int
    public let memoryGB: Double
    public let gpuCount: Int
    public let timeLimit: BenchDuration
    public let partition: String?

    public init(nodes: Int = 1, cpuCores: Int = 1, memoryGB: Double = 1, gpuCount: Int = 0,
                timeLimit: BenchDuration = BenchDuration(seconds: 3600), partition: String? = nil) {
        self.nodes = nodes
        self.cpuCores = cpuCores
        self.memoryGB = memoryGB
        self.gpuCount = gpuCount
        self.timeLimit = timeLimit
        self.partition = partition
    }
}
