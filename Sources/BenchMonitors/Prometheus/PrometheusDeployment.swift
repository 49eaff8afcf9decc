import BenchCore
import BenchPlacement
import Foundation
import Glibc

/// A Prometheus that bench runs itself: a generated config in its own folder, its own TSDB,
/// a loopback listen address, and a node exporter beside it.
///
/// Folder layout: `prometheus.yml`, `targets/NAME.json` (one per attached server), `data/`,
/// `prometheus.log`, `node_exporter.log`, `promtool.log`.
public actor PrometheusDeployment {
    /// Everything that decides how the deployment runs.
    public struct Configuration: Sendable {
        public var directory: String
        public var host: String
        public var port: PortValue
        public var scrapeInterval: BenchDuration
        public var retention: BenchDuration
        public var prometheusBinary: String
        /// nil: no node exporter.
        public var nodeExporterBinary: String?
        public var promtoolBinary: String
        /// How long to wait for `up == 1` of the own targets (the first scrape lands ~5–6 s after start).
        public var readinessTimeout: Duration
        /// The children's environment (PATH is searched for the binaries).
        public var environment: [String: String]
        /// More file_sd globs (where SLURM server jobs register themselves).
        public var extraTargetFiles: [String] = []
        /// Run Prometheus as a SLURM job instead of local processes.
        public var job: PrometheusJob?
        /// Where queue waits are reported while a job starts.
        public var progress: (@Sendable (String) -> Void)?

        public init(directory: String, host: String = "127.0.0.1", port: PortValue = .auto,
                    scrapeInterval: BenchDuration = BenchDuration(seconds: 1),
                    retention: BenchDuration = BenchDuration(seconds: 86_400),
                    prometheusBinary: String = "prometheus", nodeExporterBinary: String? = "prometheus-node-exporter",
                    promtoolBinary: String = "promtool", readinessTimeout: Duration = .seconds(30),
                    environment: [String: String] = ProcessInfo.processInfo.environment) {
            self.directory = directory
            self.host = host
            self.port = port
            self.scrapeInterval = scrapeInterval
            self.retention = retention
            self.prometheusBinary = prometheusBinary
            self.nodeExporterBinary = nodeExporterBinary
            self.promtoolBinary = promtoolBinary
            self.readinessTimeout = readinessTimeout
            self.environment = environment
        }

        /// From a `type: prometheus` recipe: its interval, retention, port, binary, and a node
        /// exporter when `exporters` lists `node` (server exporters start with their servers).
        public init(recipe: MonitorRecipe, directory: String) {
            let spec = recipe.prometheus ?? PrometheusSpec()
            self.init(directory: directory, port: spec.port, scrapeInterval: spec.scrapeInterval,
                      retention: spec.retention, prometheusBinary: spec.binary,
                      nodeExporterBinary: recipe.exporters.contains(.node) ? "prometheus-node-exporter" : nil)
        }
    }

    public nonisolated let configuration: Configuration
    public nonisolated var directory: String { configuration.directory }
    public nonisolated var targetsDirectory: String { configuration.directory + "/targets" }
    public nonisolated var configPath: String { configuration.directory + "/prometheus.yml" }
    public nonisolated var logPath: String { configuration.directory + "/prometheus.log" }
    public nonisolated var nodeExporterLogPath: String { configuration.directory + "/node_exporter.log" }

    private var prometheus: LaunchedProcess?
    private var nodeExporter: LaunchedProcess?
    /// Set once started: the port Prometheus listens on.
    public private(set) var port: Int?
    /// The job running Prometheus (job mode), and the node address it reported.
    public private(set) var jobId: String?
    private var resolvedHost: String?
    public nonisolated var discoveryPath: String { configuration.directory + "/discovery.json" }
    public nonisolated var jobScriptPath: String { configuration.directory + "/prometheus.sbatch" }
    public private(set) var nodeExporterPort: Int?
    /// When SLURM was last asked whether the job still runs (`poll`).
    private var lastJobCheck: ContinuousClock.Instant?

    public init(_ configuration: Configuration) {
        self.configuration = configuration
    }

    /// The API client, once started.
    public var client: PrometheusClient? {
        port.map { PrometheusClient(host: resolvedHost ?? configuration.host, port: $0) }
    }

    /// The pids of Prometheus and the node exporter (for status and cleanup records).
    public var processes: [LaunchedProcess] { [prometheus, nodeExporter].compactMap { $0 } }

    /// Writes and checks the config, starts the node exporter and Prometheus, and returns once
    /// both own targets are scraped (`up == 1`). On any failure everything started is stopped
    /// and the error says why (promtool's output, the port, the log's last lines).
    public func start() async throws {
        guard prometheus == nil, jobId == nil else { throw BenchError("prometheus in \(directory) is already running") }
        if let job = configuration.job { return try await startAsJob(job) }
        let fm = FileManager.default
        do {
            try fm.createDirectory(atPath: targetsDirectory, withIntermediateDirectories: true)
            try fm.createDirectory(atPath: directory + "/data", withIntermediateDirectories: true)
        } catch {
            throw BenchError("cannot create the monitor folder \(directory): \(error.localizedDescription)")
        }
        let host = configuration.host
        let promPort: Int
        switch configuration.port {
        case .auto:
            // Started again (`monitor restart`): the address it had, where that is still free.
            if let earlier = port, (try? PortAllocator.checkAvailable(host: host, port: earlier)) != nil {
                promPort = earlier
            } else {
                promPort = try PortAllocator.freePort(host: host)
            }
        case .fixed(let fixed):
            do {
                try PortAllocator.checkAvailable(host: host, port: fixed)
            } catch let error as BenchError {
                throw BenchError("cannot start prometheus: \(error.message)")
            }
            promPort = fixed
        }
        let nodePort: Int?
        if configuration.nodeExporterBinary == nil {
            nodePort = nil
        } else if let earlier = nodeExporterPort, earlier != promPort, (try? PortAllocator.checkAvailable(host: host, port: earlier)) != nil {
            nodePort = earlier
        } else {
            nodePort = try PortAllocator.freePort(host: host, excluding: [promPort])
        }
        let config = PrometheusConfig(scrapeInterval: configuration.scrapeInterval,
                                      selfAddress: Self.address(host, promPort),
                                      nodeExporterAddress: nodePort.map { Self.address(host, $0) },
                                      targetsDirectory: targetsDirectory, extraTargetFiles: configuration.extraTargetFiles)
        try FileWriting.writeAtomically(config.render(), to: configPath)
        try await Self.check(configPath: configPath, promtool: configuration.promtoolBinary,
                             directory: directory, environment: configuration.environment)

        do {
            if let binary = configuration.nodeExporterBinary, let nodePort {
                nodeExporter = try ProcessLauncher.launch(LaunchSpec(
                    argv: [binary, "--web.listen-address=\(Self.address(host, nodePort))"],
                    environment: configuration.environment, workingDirectory: directory,
                    stdoutPath: nodeExporterLogPath, stderrPath: nodeExporterLogPath))
                nodeExporterPort = nodePort
            }
            prometheus = try ProcessLauncher.launch(LaunchSpec(
                argv: [configuration.prometheusBinary, "--config.file=\(configPath)",
                       "--storage.tsdb.path=\(directory)/data",
                       "--web.listen-address=\(Self.address(host, promPort))",
                       "--web.enable-lifecycle",
                       "--storage.tsdb.retention.time=\(PrometheusConfig.duration(configuration.retention))"],
                environment: configuration.environment, workingDirectory: directory,
                stdoutPath: logPath, stderrPath: logPath))
            port = promPort
            try await waitUntilReady(jobs: config.ownJobs)
        } catch {
            await stop()
            throw error
        }
    }

    /// Which of its processes ended on its own since the last call, or nil while all run. A local
    /// process is reaped here (so `stop` never signals a pid that may be reused); a job is asked of
    /// SLURM at most every 5 s.
    public func poll() async -> MonitorEnding? {
        if let id = jobId, let job = configuration.job {
            let now = ContinuousClock.now
            guard lastJobCheck.map({ now - $0 >= .seconds(5) }) ?? true else { return nil }
            lastJobCheck = now
            guard let info = try? await job.orchestrator.control.info(id), !info.isActive else { return nil }
            jobId = nil
            return MonitorEnding(part: "prometheus job \(id)", how: info.summary, endsMonitor: true)
        }
        // Checked again after the wait: a poll that overlapped this one may have reported it already.
        if let prometheus, let how = await Self.ending(of: prometheus), self.prometheus == prometheus {
            self.prometheus = nil
            return MonitorEnding(part: "prometheus", how: how, endsMonitor: true)
        }
        if let nodeExporter, let how = await Self.ending(of: nodeExporter), self.nodeExporter == nodeExporter {
            self.nodeExporter = nil
            return MonitorEnding(part: "prometheus-node-exporter", how: how, endsMonitor: false)
        }
        return nil
    }

    /// Whether Prometheus answers `/-/ready` within 2 s.
    public func answers() async -> Bool {
        guard let port, prometheus != nil || jobId != nil else { return false }
        return await PrometheusClient(host: resolvedHost ?? configuration.host, port: port, timeout: .seconds(2)).isReady()
    }

    /// `pid 4242` (Prometheus'), `job 45`, or `-` when neither runs.
    public var identity: String {
        if let jobId { return "job \(jobId)" }
        return prometheus.map { "pid \($0.pid)" } ?? "-"
    }

    /// `killed(SIGKILL)`, `exited(1)`; `exited(?)` for a process that is gone but not ours to reap.
    private static func ending(of process: LaunchedProcess) async -> String? {
        if let status = ProcessInspector.reap(pid: process.pid) { return status.description }
        if ProcessInspector.isSameProcess(pid: process.pid, startTime: process.startTime) { return nil }
        // Ending, not ended: a killed multi-threaded leader (Go's Prometheus) shows as a zombie while
        // its other threads exit, and can be reaped only after them, a few milliseconds later.
        // Up to 2 s: on a loaded machine tearing down a big Go process takes hundreds of milliseconds.
        for _ in 0..<400 {
            try? await Task.sleep(for: .milliseconds(5))
            if let status = ProcessInspector.reap(pid: process.pid) { return status.description }
            if kill(process.pid, 0) != 0 { break }
        }
        // Still a zombie of ours (a loaded machine takes longer to end a big process's threads): not
        // ended yet, so the next poll reaps it and reports the real status instead of a guess.
        if kill(process.pid, 0) == 0 { return nil }
        return "exited(?)"
    }

    /// Stops Prometheus and the node exporter (SIGTERM, SIGKILL after 5 s); safe to call twice.
    public func stop() async {
        if let jobId, let job = configuration.job {
            self.jobId = nil
            try? await job.orchestrator.control.cancel([jobId])
            // Until SLURM says it ended, so its TSDB is closed when bench reports the monitor stopped.
            for _ in 0..<150 {
                guard let info = try? await job.orchestrator.control.info(jobId), info.isActive else { break }
                try? await Task.sleep(for: .milliseconds(200))
            }
        }
        let children = [prometheus, nodeExporter].compactMap { $0 }
        prometheus = nil
        nodeExporter = nil
        for child in children {
            _ = await ProcessGroupSignaller.terminate(group: child.processGroup, leader: child.pid, grace: .seconds(5))
        }
    }

    /// Writes `targets/NAME.json` (atomically): Prometheus starts scraping it within about a
    /// second, no reload. `labels` land on every series (`handle`, `recipe`, `session`);
    /// a `metricsPath` other than `/metrics` goes in as `__metrics_path__`.
    public nonisolated func writeTarget(name: String, address: String, labels: [String: String] = [:],
                                        metricsPath: String = "/metrics") throws {
        try Self.checkName(name)
        var allLabels = labels
        if metricsPath != "/metrics" { allLabels["__metrics_path__"] = metricsPath }
        let group = TargetGroup(targets: [address], labels: allLabels)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data = try encoder.encode([group])
        try FileWriting.writeAtomically(data, to: targetsDirectory + "/\(name).json")
    }

    /// Removes `targets/NAME.json`; Prometheus drops the target within about a second.
    /// Removing a target that is not there is not an error.
    public nonisolated func removeTarget(name: String) throws {
        try Self.checkName(name)
        let path = targetsDirectory + "/\(name).json"
        if unlink(path) != 0 && errno != ENOENT {
            throw BenchError("cannot remove \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// The names of the target files present.
    public nonisolated func targetNames() -> [String] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: targetsDirectory)) ?? []
        return files.filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted()
    }

    /// Runs `promtool check config`; throws with its output when the config is rejected.
    public static func check(configPath: String, promtool: String = "promtool", directory: String,
                             environment: [String: String] = ProcessInfo.processInfo.environment) async throws {
        let log = directory + "/promtool.log"
        _ = unlink(log)
        let status: ExitStatus
        do {
            status = try await CommandRunner.run([promtool, "check", "config", configPath], environment: environment,
                                                 workingDirectory: directory, timeout: .seconds(20), combinedOutput: log).status
        } catch is CommandRunner.TimedOut {
            throw BenchError("promtool check config \(configPath) did not finish within 20 s")
        }
        guard status != .exited(0) else { return }
        let output = LogTail.lastLines(path: log, count: 30).joined(separator: "\n")
        throw BenchError("prometheus config \(configPath) is invalid (promtool check config: \(status)):\n\(output)")
    }

    // MARK: private

    /// Job mode: checks the config with stand-in addresses, submits the job, waits for its discovery file
    /// (queue waits reported, not timed), then for `up == 1` as locally. A failure cancels the job.
    private func startAsJob(_ job: PrometheusJob) async throws {
        let fm = FileManager.default
        try fm.createDirectory(atPath: targetsDirectory, withIntermediateDirectories: true)
        try fm.createDirectory(atPath: directory + "/data", withIntermediateDirectories: true)
        try job.orchestrator.control.checkAvailable()
        let sample = PrometheusJob.config(configuration, targetsDirectory: targetsDirectory).render()
            .replacingOccurrences(of: PrometheusJob.hostReference, with: "127.0.0.1")
            .replacingOccurrences(of: PrometheusJob.portReference, with: "9090")
            .replacingOccurrences(of: PrometheusJob.nodePortReference, with: "9100")
        try FileWriting.writeAtomically(sample, to: configPath)
        try await Self.check(configPath: configPath, promtool: configuration.promtoolBinary, directory: directory, environment: configuration.environment)
        try? fm.removeItem(atPath: discoveryPath)
        let script = job.script(configuration, targetsDirectory: targetsDirectory, configPath: configPath, discoveryPath: discoveryPath, logPath: logPath)
        try FileWriting.writeAtomically(script, to: jobScriptPath)
        let id = try await job.orchestrator.control.submit(scriptPath: jobScriptPath, extraArguments: job.orchestrator.submitArguments(redacted: false))
        jobId = id
        configuration.progress?("prometheus: submitted job \(id) (\(job.name))")
        do {
            var lastSummary = ""
            var deadline = ContinuousClock.now.advanced(by: configuration.readinessTimeout)
            while true {
                try Task.checkCancellation()
                if let file = try SlurmDiscoveryFile.read(discoveryPath), file.jobId == id || file.jobId.isEmpty, let main = file.ports["main"] {
                    resolvedHost = file.host
                    port = main
                    nodeExporterPort = file.ports["node_exporter"]
                    configuration.progress?("prometheus: job \(id) runs on \(file.node) at \(Self.address(file.host, main))")
                    break
                }
                guard let info = try await job.orchestrator.control.info(id) else { throw BenchError("prometheus job \(id) is gone from SLURM") }
                if !info.isActive {
                    throw BenchError("prometheus job \(id) ended before it started Prometheus: \(info.summary):\n" + logExcerpt(logPath))
                }
                if info.summary != lastSummary {
                    configuration.progress?("prometheus: job \(id) \(info.summary)")
                    lastSummary = info.summary
                }
                if info.isPending {
                    deadline = ContinuousClock.now.advanced(by: configuration.readinessTimeout)
                } else if ContinuousClock.now >= deadline {
                    throw BenchError("prometheus job \(id) \(info.summary) but wrote no \(discoveryPath) within \(configuration.readinessTimeout):\n" + logExcerpt(logPath))
                }
                try await Task.sleep(for: .milliseconds(500))
            }
            let config = PrometheusJob.config(configuration, targetsDirectory: targetsDirectory)
            try await waitUntilReady(jobs: config.ownJobs)
        } catch {
            await stop()
            throw error
        }
    }

    private func waitUntilReady(jobs: [String]) async throws {
        guard let port, prometheus != nil || jobId != nil else { return }
        let client = PrometheusClient(host: resolvedHost ?? configuration.host, port: port, timeout: .seconds(2))
        let deadline = ContinuousClock.now.advanced(by: configuration.readinessTimeout)
        let selector = "up{job=~\"\(jobs.joined(separator: "|"))\"}"
        var lastState = "prometheus did not answer"
        while true {
            if let jobId, let job = configuration.job, let info = try? await job.orchestrator.control.info(jobId), !info.isActive {
                throw BenchError("prometheus job \(jobId) ended during startup: \(info.summary):\n" + logExcerpt(logPath))
            }
            if let prometheus, let status = ProcessInspector.reap(pid: prometheus.pid) {
                self.prometheus = nil
                throw BenchError("prometheus exited during startup (\(status)):\n" + logExcerpt(logPath))
            }
            if let nodeExporter, let status = ProcessInspector.reap(pid: nodeExporter.pid) {
                self.nodeExporter = nil
                throw BenchError("prometheus-node-exporter exited during startup (\(status)):\n" + logExcerpt(nodeExporterLogPath))
            }
            if case .vector(let samples)? = try? await client.query(selector) {
                let up = Set(samples.filter { $0.sample.value == 1 }.compactMap { $0.labels["job"] })
                if jobs.allSatisfy(up.contains) { return }
                lastState = "up == 1 for [\(up.sorted().joined(separator: ", "))] of [\(jobs.joined(separator: ", "))]"
            }
            if ContinuousClock.now >= deadline {
                throw BenchError("prometheus on port \(port) was not ready within \(configuration.readinessTimeout) "
                                 + "(\(lastState)):\n" + logExcerpt(logPath))
            }
            try? await Task.sleep(for: .milliseconds(250))
        }
    }

    private nonisolated func logExcerpt(_ path: String) -> String {
        LogTail.lastLines(path: path, count: 12).map { "  " + $0 }.joined(separator: "\n")
    }

    static func address(_ host: String, _ port: Int) -> String {
        Endpoint.address(host: host, port: port)
    }

    private static func checkName(_ name: String) throws {
        let allowed = name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".") }
        guard !name.isEmpty, allowed, !name.hasPrefix(".") else {
            throw BenchError("'\(name)' cannot name a target file (letters, digits, '-', '_', '.')")
        }
    }

    /// One entry of a file_sd JSON file.
    private struct TargetGroup: Encodable {
        let targets: [String]
        let labels: [String: String]
    }
}
