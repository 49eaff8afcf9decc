import BenchCore

/// The command line's choices for one client run, as typed values (nil: not given).
///
/// The shell fills this from `client run`/`client sweep`; `ClientRunPlanner` turns it, with the
/// recipe, into a `ClientRunRequest`, and `SlurmClientRun` passes the options each part shares on.
public struct ClientRunOptions: Sendable {
    public var target: String?
    public var port: String?
    public var duration: BenchDuration?
    public var requests: Int?
    public var warmup: BenchDuration?
    public var concurrency: Int?
    public var rate: Double?
    public var arrival: ArrivalProcess?
    public var seed: UInt64?
    /// `--set KEY=VALUE`, in the order given.
    public var sets: [(key: String, value: String)] = []
    /// `--slo` as given (parsed by the planner, which names it in errors).
    public var slo: String?
    public var timeout: BenchDuration?
    /// `--connections-cap`, with its default; `connectionCapGiven` says whether the user chose it.
    public var connectionCap = 1000
    public var connectionCapGiven = false
    public var threads = 1
    public var quiet = false
    public var background = false
    /// `--on`: where the load generator runs.
    public var placement = RunPlacement.local
    /// `--nodes`, `--tasks-per-node`, `--partition`, `--time`: the SLURM job's shape.
    public var nodes: Int?
    public var tasksPerNode: Int?
    public var partition: String?
    public var timeLimit: BenchDuration?

    /// Where a client run's load generator runs.
    public enum RunPlacement: String, Sendable { case local, slurm }

    public init() {}

    /// The options every part of a SLURM run shares, as `client run` words in declaration order
    /// (what each part gets of its own: target, connections, rate, requests, seed, are added per part).
    public var sharedAgentWords: [String] {
        var words: [String] = []
        if let duration { words += ["--duration", duration.description] }
        if let warmup { words += ["--warmup", warmup.description] }
        if let arrival { words += ["--arrival", arrival.rawValue] }
        for (key, value) in sets { words += ["--set", "\(key)=\(value)"] }
        if let slo { words += ["--slo", slo] }
        if let timeout { words += ["--timeout", timeout.description] }
        if connectionCapGiven { words += ["--connections-cap", String(connectionCap)] }
        if threadsGiven { words += ["--threads", String(threads)] }
        return words
    }

    /// Whether `--threads` was given (it is passed to parts only then, as before).
    public var threadsGiven = false
}
