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
///
/// Opaque outside this target: only the orchestrator that made it reads what is inside (a process
/// group here, a batch job there), so no caller branches on where an instance runs. Its coded form
/// is `state.json`'s `runtime` object (`main`, `exporter`, `job`), unchanged.
public struct InstanceRuntime: Sendable, Codable, Equatable {
    /// The service's process (local orchestrator).
    var main: LaunchedProcess?
    /// The exporter's process, if any.
    var exporter: LaunchedProcess?
    /// The batch job that runs the instance (SLURM orchestrator).
    var job: SlurmJob?

    init(main: LaunchedProcess? = nil, exporter: LaunchedProcess? = nil, job: SlurmJob? = nil) {
        self.main = main
        self.exporter = exporter
        self.job = job
    }

    /// The service's process id, where it runs on this machine (`server status`).
    public var pid: Int32? { main?.pid }
    /// The process group of the service on this machine, for samplers that read `/proc` (nil for a job).
    public var localProcessGroup: Int32? { main?.processGroup }
    /// The exporter's process id, where bench started one on this machine.
    public var exporterPid: Int32? { exporter?.pid }
    /// Lets its processes start, once `state.json` lists them (see `LaunchGate`); a no-op for a job.
    public func openLaunchGates() { LaunchGate.open([main?.pid, exporter?.pid].compactMap { $0 }) }

    /// What runs the instance as `server list` shows it: a pid, `job 45`, or `-`.
    public var listing: String { main.map { String($0.pid) } ?? job.map { "job \($0.id)" } ?? "-" }
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
/// Everything a caller needs to say or do about an instance's runtime is asked of its orchestrator.
public protocol Orchestrator: Sendable {
    /// A short name shown in scripts and status (`local`, `slurm`).
    var name: String { get }
    /// Whether the instance's host and auto ports are chosen where it runs (so unknown until `discover`).
    var decidesEndpointRemotely: Bool { get }
    /// Whether its instances register themselves as scrape targets of the session's Prometheus
    /// (a job's file_sd file), so a monitor need not be told where they are.
    var registersScrapeTargets: Bool { get }
    /// Starts the instance's service (process or job) and returns what identifies it.
    func launch(_ plan: InstancePlan) async throws -> InstanceRuntime
    /// Starts the metrics exporter beside a service that passed readiness (exporters such as
    /// nginx's give up when their target is not up yet).
    func launchExporter(_ plan: InstancePlan, runtime: InstanceRuntime) async throws -> InstanceRuntime
    /// Whether `launch` submits a batch script that `dryRun` can show.
    var writesBatchScripts: Bool { get }
    /// The script and submit command `launch` would use, without launching (`--dry-run`).
    func dryRun(_ plan: InstancePlan) throws -> (script: String, command: String)
    /// Whether the service has ended on its own: nil while it runs.
    func poll(_ runtime: InstanceRuntime) -> ServerState?
    /// Whether an instance recorded by an earlier bench still runs (`--attach`): nil when it does,
    /// else its state and a note for the user.
    func reattach(_ runtime: InstanceRuntime) -> (state: ServerState, note: String)?
    /// Stops everything the instance runs: SIGTERM, then SIGKILL after `grace`.
    func stop(_ runtime: InstanceRuntime, grace: Duration) async
    /// Stops what a service that ended on its own left behind (its exporter, children that outlived it).
    func stopLeftovers(_ runtime: InstanceRuntime) async
    /// Stops everything synchronously: for signal handlers, with no time for tasks.
    func stopNow(_ runtimes: [InstanceRuntime])
    /// CPU and memory of what the instance runs, where the orchestrator can see it.
    func usage(_ runtime: InstanceRuntime) -> ResourceUsage?
    /// Where the instance can be reached, once it is known (asked only when `decidesEndpointRemotely`).
    func discover(_ runtime: InstanceRuntime) async throws -> Discovery
    /// Lines for `server status HANDLE` beyond the process view (job id, state, node, time limit).
    func details(_ runtime: InstanceRuntime) async -> [(String, String)]
    /// "pid 123" or "job 45": what runs the instance, in one phrase.
    func identity(_ runtime: InstanceRuntime) -> String
    /// The progress line after launch, less the `sN recipe: ` prefix.
    func launchedLine(_ runtime: InstanceRuntime, endpoint: Endpoint) -> String
    /// The progress line once `discover` found the endpoint, less the prefix.
    func foundLine(_ runtime: InstanceRuntime, endpoint: Endpoint) -> String
    /// Where the instance was expected to report its address, for a discovery time-out (` (path)`).
    func discoveryHint(_ runtime: InstanceRuntime, display: (String) -> String) -> String
    /// Whether something an earlier bench recorded still runs (`--cleanup`); `activeJobs`: the
    /// session's jobs still in SLURM's queue.
    func leftoverRunning(_ runtime: InstanceRuntime, activeJobs: Set<String>) -> Bool
    /// Stops a leftover instance of an earlier bench and says what happened, after `SESSION: `.
    func cleanLeftover(_ runtime: InstanceRuntime, handle: Handle, recipe: String, activeJobs: Set<String>, grace: Duration) async -> String
    /// Whether the runtime is the batch job `id` (so `--cleanup` names other jobs apart).
    func owns(_ runtime: InstanceRuntime, jobId id: String) -> Bool
}

extension Orchestrator {
    public var decidesEndpointRemotely: Bool { false }
    public var registersScrapeTargets: Bool { false }
    public var writesBatchScripts: Bool { false }
    public func discover(_ runtime: InstanceRuntime) async throws -> Discovery {
        throw BenchError("\(name) orchestrator: endpoints are known at launch, there is nothing to discover")
    }
    public func details(_ runtime: InstanceRuntime) async -> [(String, String)] { [] }
    public func dryRun(_ plan: InstancePlan) throws -> (script: String, command: String) {
        throw BenchError("\(name) orchestrator: there is no batch script to show")
    }
    public func foundLine(_ runtime: InstanceRuntime, endpoint: Endpoint) -> String { "runs at \(endpoint.host) (\(endpoint.portList))" }
    public func discoveryHint(_ runtime: InstanceRuntime, display: (String) -> String) -> String { "" }
    public func owns(_ runtime: InstanceRuntime, jobId id: String) -> Bool { false }
}
