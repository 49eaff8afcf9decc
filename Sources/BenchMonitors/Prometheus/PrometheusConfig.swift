import BenchCore

/// The `prometheus.yml` bench writes: its own scrape, the node exporter's, and a `file_sd` job
/// that reads one JSON file per attached server from `targets/` (re-read every second, no reload).
public struct PrometheusConfig: Sendable, Equatable {
    public var scrapeInterval: BenchDuration
    /// `host:port` Prometheus listens on (it scrapes itself there).
    public var selfAddress: String
    /// `host:port` of the node exporter, when one runs.
    public var nodeExporterAddress: String?
    /// Absolute path of the folder with the target files.
    public var targetsDirectory: String
    /// More file_sd globs: where SLURM server jobs register themselves (`SESSION/slurm/targets/*.json`).
    public var extraTargetFiles: [String] = []

    /// The job names of the monitor's own targets: ready means `up == 1` for each.
    public static let selfJob = "prometheus"
    public static let nodeJob = "node"
    /// The job of the servers attached through target files.
    public static let targetsJob = "bench"

    public init(scrapeInterval: BenchDuration, selfAddress: String, nodeExporterAddress: String?, targetsDirectory: String,
                extraTargetFiles: [String] = []) {
        self.extraTargetFiles = extraTargetFiles
        self.scrapeInterval = scrapeInterval
        self.selfAddress = selfAddress
        self.nodeExporterAddress = nodeExporterAddress
        self.targetsDirectory = targetsDirectory
    }

    /// The jobs whose `up` must be 1 before the monitor is ready.
    public var ownJobs: [String] {
        nodeExporterAddress == nil ? [Self.selfJob] : [Self.selfJob, Self.nodeJob]
    }

    /// The YAML text.
    public func render() -> String {
        let interval = Self.duration(scrapeInterval)
        // A scrape may not take longer than the interval (Prometheus rejects timeout > interval).
        let timeout = Self.duration(BenchDuration(seconds: min(scrapeInterval.seconds, 10)))
        var text = """
        # Written by bench. Attached servers are the JSON files in targets/ (file_sd, re-read every second).
        global:
          scrape_interval: \(interval)
          scrape_timeout: \(timeout)
          evaluation_interval: \(interval)
        scrape_configs:
          - job_name: \(Self.selfJob)
            static_configs:
              - targets: [\(Self.quote(selfAddress))]

        """
        if let node = nodeExporterAddress {
            text += """
              - job_name: \(Self.nodeJob)
                static_configs:
                  - targets: [\(Self.quote(node))]

            """
        }
        text += """
          - job_name: \(Self.targetsJob)
            file_sd_configs:
              - files: [\(([targetsDirectory + "/*.json"] + extraTargetFiles).map(Self.quote).joined(separator: ", "))]
                refresh_interval: 1s

        """
        return text
    }

    /// A Prometheus duration: whole seconds as `Ns`, otherwise milliseconds (at least 1ms).
    public static func duration(_ value: BenchDuration) -> String {
        let seconds = value.seconds
        if seconds >= 1, seconds == seconds.rounded() { return "\(Int(seconds))s" }
        return "\(max(1, Int((seconds * 1000).rounded())))ms"
    }

    /// A double-quoted YAML scalar.
    static func quote(_ text: String) -> String {
        var out = "\""
        for character in text {
            switch character {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            default: out.append(character)
            }
        }
        return out + "\""
    }
}
