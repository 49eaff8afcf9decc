import BenchCore
import Foundation

/// Renders the sbatch script of a client run split over job steps: one bench agent per task, each
/// running its share of the load against the same endpoint and writing its own result.
public struct ClientJobRenderer: Sendable {
    public let settings: SlurmSettings

    public init(settings: SlurmSettings) {
        self.settings = settings
    }

    /// One client job: where its files go and what each task runs.
    public struct Job: Sendable {
        public var name: String
        public var nodes: Int
        public var tasksPerNode: Int
        public var partition: String?
        public var timeLimit: BenchDuration
        /// `runs/rN.parts/`: the task script, the job's and each task's output, and each part's session.
        public var partsDirectory: String
        public var workingDirectory: String
        /// The argv of each task, by `SLURM_PROCID`.
        public var taskArgv: [[String]]

        public init(name: String, nodes: Int, tasksPerNode: Int, partition: String?, timeLimit: BenchDuration, partsDirectory: String,
                    workingDirectory: String, taskArgv: [[String]]) {
            self.name = name
            self.nodes = nodes
            self.tasksPerNode = tasksPerNode
            self.partition = partition
            self.timeLimit = timeLimit
            self.partsDirectory = partsDirectory
            self.workingDirectory = workingDirectory
            self.taskArgv = taskArgv
        }

        public var scriptPath: String { partsDirectory + "/job.sbatch" }
        public var taskScriptPath: String { partsDirectory + "/task.sh" }
    }

    /// The batch script: one `srun` with a task per part.
    public func batchScript(_ job: Job) -> String {
        var header = SbatchHeader(jobName: job.name, output: job.partsDirectory + "/job.out", error: job.partsDirectory + "/job.err",
                                  time: SlurmSettings.timeText(job.timeLimit))
        header.nodes = job.nodes
        header.tasksPerNode = job.tasksPerNode
        header.tasks = job.taskArgv.count
        header.partition = job.partition ?? settings.partition
        header.qos = settings.qos
        var lines: [String] = []
        lines += [
            "# Rendered by bench: a client run as \(job.taskArgv.count) job step task(s); each writes its own result, bench merges them.",
            "set -u",
            "cd \(SbatchQuoting.literal(job.workingDirectory)) || exit 71",
            "srun --kill-on-bad-exit=0 --ntasks=\(job.taskArgv.count) --ntasks-per-node=\(job.tasksPerNode) "
                + "--output=\(SbatchQuoting.literal(job.partsDirectory + "/part-%t.out")) --error=\(SbatchQuoting.literal(job.partsDirectory + "/part-%t.err")) "
                + "/bin/bash \(SbatchQuoting.literal(job.taskScriptPath))",
        ]
        return header.text + lines.joined(separator: "\n") + "\n"
    }

    /// The script each task runs: its own command, chosen by `SLURM_PROCID`.
    public func taskScript(_ job: Job) -> String {
        var text = "#!/bin/bash\n# One part of a bench client run, chosen by the task's rank.\ncase \"${SLURM_PROCID:-0}\" in\n"
        for (index, argv) in job.taskArgv.enumerated() {
            text += "  \(index)) exec \(argv.map(SbatchQuoting.literal).joined(separator: " ")) ;;\n"
        }
        text += "  *) echo \"bench: no part for task $SLURM_PROCID\" >&2; exit 64 ;;\nesac\n"
        return text
    }
}
