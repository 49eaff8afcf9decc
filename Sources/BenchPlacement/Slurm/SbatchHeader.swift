/// The `#SBATCH` lines of every job bench submits (servers, client steps, Prometheus); the account is
/// never among them (it is a secret: see `SlurmSettings`).
public struct SbatchHeader: Sendable, Equatable {
    public var jobName: String
    public var output: String
    public var error: String
    public var nodes = 1
    public var tasks = 1
    public var tasksPerNode: Int?
    public var cpusPerTask: Int?
    public var memoryMB: Int?
    /// sbatch's `--time` text (`SlurmSettings.timeText`).
    public var time: String
    public var partition: String?
    public var qos: String?
    public var gpus = 0

    public init(jobName: String, output: String, error: String, time: String) {
        self.jobName = jobName
        self.output = output
        self.error = error
        self.time = time
    }

    /// `#!/bin/bash` and the directives, one per line.
    public var text: String {
        var lines = [
            "--job-name=\(jobName)",
            "--output=\(output)",
            "--error=\(error)",
            // Output of a restarted instance goes after the earlier one's, not over it.
            "--open-mode=append",
            // A requeued job would come back later, elsewhere, with nobody waiting for it: a lost node
            // must end the job (NODE_FAIL) so bench notices.
            "--no-requeue",
            "--nodes=\(nodes)",
        ]
        if let tasksPerNode { lines.append("--ntasks-per-node=\(tasksPerNode)") }
        lines.append("--ntasks=\(tasks)")
        if let cpusPerTask { lines.append("--cpus-per-task=\(cpusPerTask)") }
        if let memoryMB { lines.append("--mem=\(memoryMB)M") }
        lines.append("--time=\(time)")
        if let partition { lines.append("--partition=\(partition)") }
        if let qos { lines.append("--qos=\(qos)") }
        if gpus > 0 { lines.append("--gres=gpu:\(gpus)") }
        return "#!/bin/bash\n" + lines.map { "#SBATCH " + $0 + "\n" }.joined()
    }
}
