import BenchCore
import BenchPlacement
import Foundation

/// Prometheus and a node_exporter as one SLURM job: the script picks ports on its node, writes the
/// config with the node's address, and a discovery file bench waits for (`discovery.json`).
public struct PrometheusJob: Sendable {
    public let orchestrator: SlurmOrchestrator
    /// `bench-SESSION-mN`.
    public let name: String
    public let placement: SlurmPlacement

    public init(orchestrator: SlurmOrchestrator, name: String, placement: SlurmPlacement) {
        self.orchestrator = orchestrator
        self.name = name
        self.placement = placement
    }

    static let hostReference = "@@BENCH_HOST@@"
    static let portReference = "@@BENCH_PORT_MAIN@@"
    static let nodePortReference = "@@BENCH_PORT_NODE_EXPORTER@@"

    /// The config with the node's address and ports left as references, filled in by the job.
    static func config(_ configuration: PrometheusDeployment.Configuration, targetsDirectory: String) -> PrometheusConfig {
        PrometheusConfig(scrapeInterval: configuration.scrapeInterval, selfAddress: "\(hostReference):\(portReference)",
                         nodeExporterAddress: configuration.nodeExporterBinary == nil ? nil : "\(hostReference):\(nodePortReference)",
                         targetsDirectory: targetsDirectory, extraTargetFiles: configuration.extraTargetFiles)
    }

    /// The batch script.
    func script(_ configuration: PrometheusDeployment.Configuration, targetsDirectory: String, configPath: String,
                discoveryPath: String, logPath: String) -> String {
        let settings = orchestrator.settings
        let time = placement.timeLimit.map(SlurmSettings.timeText) ?? settings.timeLimit ?? "08:00:00"
        var header = SbatchHeader(jobName: name, output: logPath, error: logPath, time: time)
        header.cpusPerTask = 1
        header.memoryMB = 2048
        header.partition = placement.partition ?? settings.partition
        header.qos = settings.qos
        // The config goes through an unquoted heredoc so the node's address expands; anything else that
        // looks like an expansion is escaped first.
        let escaped = Self.config(configuration, targetsDirectory: targetsDirectory).render()
            .replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "$", with: "\\$").replacingOccurrences(of: "`", with: "\\`")
            .replacingOccurrences(of: Self.hostReference, with: "${BENCH_HOST}")
            .replacingOccurrences(of: Self.portReference, with: "${BENCH_PORT_MAIN}")
            .replacingOccurrences(of: Self.nodePortReference, with: "${BENCH_PORT_NODE_EXPORTER}")
        let retention = PrometheusConfig.duration(configuration.retention)
        var body = """
        # Rendered by bench: Prometheus for the session, scraping what registers in its file_sd folders.
        set -u

        """ + SbatchRenderer.nodeFunctions + """

        bench_pick_port BENCH_PORT_MAIN
        bench_pick_port BENCH_PORT_NODE_EXPORTER
        BENCH_CHILDREN=""
        trap '[ -z "$BENCH_CHILDREN" ] || kill $BENCH_CHILDREN 2>/dev/null' EXIT
        trap 'exit 143' TERM INT HUP
        mkdir -p \(SbatchQuoting.literal(targetsDirectory)) \(SbatchQuoting.literal(configuration.directory + "/data"))
        cd \(SbatchQuoting.literal(configuration.directory)) || exit 71
        cat >\(SbatchQuoting.literal(configPath)) <<BENCH_CONFIG_END
        \(escaped)BENCH_CONFIG_END

        """
        if let nodeExporter = configuration.nodeExporterBinary {
            body += """
            \(SbatchQuoting.literal(nodeExporter)) --web.listen-address="$BENCH_HOST:$BENCH_PORT_NODE_EXPORTER" >>\(SbatchQuoting.literal(configuration.directory + "/node_exporter.log")) 2>&1 &
            BENCH_CHILDREN="$BENCH_CHILDREN $!"

            """
        }
        body += """
        \(SbatchQuoting.literal(configuration.prometheusBinary)) --config.file=\(SbatchQuoting.literal(configPath)) --storage.tsdb.path=\(SbatchQuoting.literal(configuration.directory + "/data")) \\
          --web.listen-address="$BENCH_HOST:$BENCH_PORT_MAIN" --web.enable-lifecycle --storage.tsdb.retention.time=\(retention) &
        BENCH_PROMETHEUS=$!
        BENCH_CHILDREN="$BENCH_CHILDREN $BENCH_PROMETHEUS"
        printf '{"job_id": "%s", "node": "%s", "host": "%s", "step": "batch", "ports": {"main": %s, "node_exporter": %s}}\\n' \\
          "${SLURM_JOB_ID:-}" "$(hostname)" "$BENCH_HOST" "$BENCH_PORT_MAIN" "$BENCH_PORT_NODE_EXPORTER" >\(SbatchQuoting.literal(discoveryPath)).tmp \\
          && mv \(SbatchQuoting.literal(discoveryPath)).tmp \(SbatchQuoting.literal(discoveryPath))
        wait "$BENCH_PROMETHEUS"

        """
        return header.text + body
    }
}
