import BenchCore
import Foundation

/// Everything needed to run one instance, with the recipe's templates already filled in.
public struct InstancePlan: Sendable {
    public let handle: Handle
    public let recipe: ServerRecipe
    public let endpoint: Endpoint
    /// The service's argv (a `script` recipe becomes `/bin/sh -c BODY`).
    public let argv: [String]
    public let environment: [String: String]
    public let workingDirectory: String
    /// The instance's own data folder (`{{dir}}`).
    public let dataDirectory: String
    /// `logs/sN/` with stdout.log and stderr.log (and the exporter's logs).
    public let logDirectory: String
    /// The metrics exporter started beside the service, if the recipe has one.
    public let exporterArgv: [String]?
    public let exporterEnvironment: [String: String]
    /// The recipe's own `env`, rendered (a batch script exports these; the rest comes with sbatch).
    public var environmentOverrides: [String: String] = [:]
    /// The recipe's container, rendered (used on SLURM).
    public var container: ContainerSpec?
    public var sessionName: String = ""
    public var sessionDirectory: String = ""
    public var recipeSHA256: String = ""
    /// `--partition`, `--time`, `--nodes` (SLURM).
    public var placement = SlurmPlacement()

    public var stdoutPath: String { logDirectory + "/stdout.log" }
    public var stderrPath: String { logDirectory + "/stderr.log" }

    public init(handle: Handle, recipe: ServerRecipe, endpoint: Endpoint, argv: [String], environment: [String: String],
                workingDirectory: String, dataDirectory: String, logDirectory: String, exporterArgv: [String]?,
                exporterEnvironment: [String: String], environmentOverrides: [String: String] = [:], container: ContainerSpec? = nil,
                sessionName: String = "", sessionDirectory: String = "", recipeSHA256: String = "", placement: SlurmPlacement = SlurmPlacement()) {
        self.handle = handle
        self.recipe = recipe
        self.endpoint = endpoint
        self.argv = argv
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.dataDirectory = dataDirectory
        self.logDirectory = logDirectory
        self.exporterArgv = exporterArgv
        self.exporterEnvironment = exporterEnvironment
        self.environmentOverrides = environmentOverrides
        self.container = container
        self.sessionName = sessionName
        self.sessionDirectory = sessionDirectory
        self.recipeSHA256 = recipeSHA256
        self.placement = placement
    }
}

/// What an orchestrator keeps to find, watch and stop an instance later (also after `--attach`).
public struct InstanceRuntime: Sendable, Codable, Equatable {
    /// The service's process (local orchestrator).
    public var main: LaunchedProcess?
    /// The exporter's process, if any.
    public var exporter: LaunchedProcess?
    /// The batch job that runs the instance (SLURM orchestrator).
    public var job: SlurmJob?

    public init(main: LaunchedProcess? = nil, exporter: LaunchedProcess? = nil, job: SlurmJob? = nil) {
        self.main = main
        self.exporter = exporter
        self.job = job
    }
}

/// Where an instance's address stands after launch: known, or still to come from the cluster.
public enum Discovery: Sendable {
    /// Host and ports are known (the updated runtime records the node, for instance).
    case found(Endpoint, InstanceRuntime)
    /// Not yet: a short reason for progress lines (`PENDING (Resources)`, `RUNNING on node1`).
    case waiting(String, queued: Bool)
}

/// The seam between "run this service" and where it runs: local processes or SLURM jobs.
///
/// Both report the same `Endpoint`; readiness is probed by the manager, the same way for both.
public protocol Orchestrator: Sendable {
    /// A short name shown in scripts and status (`local`, `slurm`).
    var name: String { get }
    /// Whether the instance's host and auto ports are chosen where it runs (so unknown until `discover`).
    var decidesEndpointRemotely: Bool { get }
    /// Starts the instance's service (process or job) and returns what identifies it.
    func launch(_ plan: InstancePlan) async throws -> InstanceRuntime
    /// Starts the metrics exporter beside a service that passed readiness (exporters such as
    /// nginx's give up when their target is not up yet).
    func launchExporter(_ plan: InstancePlan, runtime: InstanceRuntime) async throws -> InstanceRuntime
    /// Whether the service has ended on its own: nil while it runs.
    func poll(_ runtime: InstanceRuntime) -> ServerState?
    /// Stops everything the instance runs: SIGTERM, then SIGKILL after `grace`.
    func stop(_ runtime: InstanceRuntime, grace: Duration) async
    /// CPU and memory of what the instance runs, where the orchestrator can see it.
    func usage(_ runtime: InstanceRuntime) -> ResourceUsage?
    /// Where the instance can be reached, once it is known (asked only when `decidesEndpointRemotely`).
    func discover(_ runtime: InstanceRuntime) async throws -> Discovery
    /// Lines for `server status HANDLE` beyond the process view (job id, state, node, time limit).
    func details(_ runtime: InstanceRuntime) async -> [(String, String)]
    /// Stops everything synchronously: for signal handlers, with no time for tasks.
    func stopNow(_ runtimes: [InstanceRuntime])
}

extension Orchestrator {
    public var decidesEndpointRemotely: Bool { false }
    public func discover(_ runtime: InstanceRuntime) async throws -> Discovery {
        throw BenchError("\(name) orchestrator: endpoints are known at launch, there is nothing to discover")
    }
    public func details(_ runtime: InstanceRuntime) async -> [(String, String)] { [] }
}
