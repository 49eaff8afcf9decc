import BenchCore
import BenchPlacement

/// A server as `monitor attach` needs to see it, told by the shell (monitors know nothing of the server manager).
public struct AttachableServer: Sendable {
    public let handle: Handle
    public let alias: String?
    public let recipeName: String
    public let state: ServerState
    public let endpoint: Endpoint
    /// Its process group on this machine, for the built-in sampler (nil for a job).
    public let localProcessGroup: Int32?
    /// Whether it registers itself with the session's Prometheus (a SLURM job's file_sd file).
    public let registersScrapeTarget: Bool
    /// Where its recipe says its metrics are.
    public let metrics: MetricsSpec?

    public init(handle: Handle, alias: String?, recipeName: String, state: ServerState, endpoint: Endpoint,
                localProcessGroup: Int32?, registersScrapeTarget: Bool, metrics: MetricsSpec?) {
        self.handle = handle
        self.alias = alias
        self.recipeName = recipeName
        self.state = state
        self.endpoint = endpoint
        self.localProcessGroup = localProcessGroup
        self.registersScrapeTarget = registersScrapeTarget
        self.metrics = metrics
    }
}
