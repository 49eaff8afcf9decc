import BenchCore

/// Per-command overrides of where and how long a job runs (`--partition`, `--time`, `--nodes`).
public struct SlurmPlacement: Sendable, Equatable, Codable {
    public var partition: String?
    public var timeLimit: BenchDuration?
    public var nodes: Int?

    public init(partition: String? = nil, timeLimit: BenchDuration? = nil, nodes: Int? = nil) {
        self.partition = partition
        self.timeLimit = timeLimit
        self.nodes = nodes
    }
}
