import BenchCore

/// The cluster settings a job is submitted with: from `.env` and the environment, overridden per
/// command by `--partition`, `--time` and `--nodes`.
///
/// The account is a secret: it goes on sbatch's command line, never into a script, file or result.
public struct SlurmSettings: Sendable, Equatable {
    public var account: String?
    public var partition: String?
    public var qos: String?
    /// `SLURM_TIME_LIMIT` as SLURM writes it (`01:00:00`); a recipe's `time_limit` and `--time` win.
    public var timeLimit: String?

    public init(account: String? = nil, partition: String? = nil, qos: String? = nil, timeLimit: String? = nil) {
        self.account = account
        self.partition = partition
        self.qos = qos
        self.timeLimit = timeLimit
    }

    /// `SLURM_ACCOUNT`, `SLURM_PARTITION`, `SLURM_QOS`, `SLURM_TIME_LIMIT`; empty values count as unset.
    public init(environment: [String: String]) {
        func value(_ key: String) -> String? {
            guard let text = environment[key]?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
            return text
        }
        self.init(account: value("SLURM_ACCOUNT"), partition: value("SLURM_PARTITION"), qos: value("SLURM_QOS"),
                  timeLimit: value("SLURM_TIME_LIMIT"))
    }

    /// sbatch's `--time` format: `D-HH:MM:SS`, or `HH:MM:SS` under a day (rounded up to whole seconds).
    public static func timeText(_ duration: BenchDuration) -> String {
        let total = Int(duration.seconds.rounded(.up))
        let days = total / 86400, hours = (total % 86400) / 3600, minutes = (total % 3600) / 60, seconds = total % 60
        let clock = String(format: "%02d:%02d:%02d", hours, minutes, seconds)
        return days > 0 ? "\(days)-\(clock)" : clock
    }
}
