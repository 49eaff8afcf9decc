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

    public var stdoutPath: String { logDirectory + "/stdout.log" }
    public var stderrPath: String { logDirectory + "/stderr.log" }
}

/// What an orchestrator keeps to find, watch and stop an instance later (also after `--attach`).
public struct InstanceRuntime: Sendable, Codable, Equatable {
    /// The service's process (local orchestrator).
    public var main: LaunchedProcess?
    /// The exporter's process, if any.
    public var exporter: LaunchedProcess?

    public init(main: LaunchedProcess? = nil, exporter: LaunchedProcess? = nil) {
        self.main = main
        self.exporter = exporter
    }
}

/// The seam between "run this service" and where it runs: local processes or SLURM jobs.
///
/// Both report the same `Endpoint`; readiness is probed by the manager, the same way for both.
public protocol Orchestrator: Sendable {
    /// A short name shown in scripts and status (`local`, `slurm`).
    var name: String { get }
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
}
