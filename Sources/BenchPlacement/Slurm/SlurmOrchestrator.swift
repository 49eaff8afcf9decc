import BenchCore
import Foundation
import Synchronization

/// Runs instances as SLURM batch jobs: renders and submits an sbatch script per instance, learns the
/// endpoint from the job's discovery file, watches the job with scontrol and stops it with scancel.
public final class SlurmOrchestrator: Orchestrator {
    public let name = "slurm"
    public var decidesEndpointRemotely: Bool { true }
    public var registersScrapeTargets: Bool { true }
    public var writesBatchScripts: Bool { true }
    public let control: SlurmControl
    public let settings: SlurmSettings
    /// The last state seen per job and when, so a poll every 250 ms does not run scontrol every time.
    private let cache = Mutex<[String: (info: SlurmJobInfo?, at: ContinuousClock.Instant)]>([:])
    private let pollInterval: Duration

    /// `environment` is bench's, with `.env` values added: SLURM's own variables and the settings.
    public init(environment: [String: String], pollInterval: Duration = .seconds(1)) {
        control = SlurmControl(environment: environment)
        settings = SlurmSettings(environment: environment)
        self.pollInterval = pollInterval
    }

    public static func jobName(session: String, handle: Handle) -> String { SlurmJob.namePrefix(session: session) + handle.description }

    /// The script `launch` would submit, for `--dry-run`.
    public func render(_ plan: InstancePlan) -> String {
        SbatchRenderer(settings: settings).render(plan, jobName: Self.jobName(session: plan.sessionName, handle: plan.handle),
                                                  paths: SbatchRenderer.Paths(sessionDirectory: plan.sessionDirectory, handle: plan.handle))
    }

    /// The sbatch command line, with the account as a variable name (it is a secret).
    public func submitArguments(redacted: Bool) -> [String] {
        guard let account = settings.account else { return [] }
        return ["--account=" + (redacted ? "${SLURM_ACCOUNT}" : account)]
    }

    public func launch(_ plan: InstancePlan) async throws -> InstanceRuntime {
        try control.checkAvailable()
        let fm = FileManager.default
        let paths = SbatchRenderer.Paths(sessionDirectory: plan.sessionDirectory, handle: plan.handle)
        for folder in [plan.logDirectory, plan.dataDirectory, (paths.discovery as NSString).deletingLastPathComponent,
                       (paths.targets as NSString).deletingLastPathComponent] {
            try FileWriting.createDirectory(atPath: folder)
        }
        // A discovery file left by an earlier job of the same handle (a restart) must not be mistaken for this one's.
        try? fm.removeItem(atPath: paths.discovery)
        try FileWriting.writeAtomically(Data(render(plan).utf8), to: URL(fileURLWithPath: paths.script))
        let id = try await control.submit(scriptPath: paths.script, extraArguments: submitArguments(redacted: false))
        return InstanceRuntime(job: SlurmJob(id: id, name: Self.jobName(session: plan.sessionName, handle: plan.handle),
                                             scriptPath: paths.script, discoveryPath: paths.discovery))
    }

    public func dryRun(_ plan: InstancePlan) throws -> (script: String, command: String) {
        let paths = SbatchRenderer.Paths(sessionDirectory: plan.sessionDirectory, handle: plan.handle)
        let command = (["sbatch", "--parsable"] + submitArguments(redacted: true) + [paths.script]).joined(separator: " ")
        return (render(plan), command)
    }

    /// Exporters run inside the job (the script starts them), so there is nothing to do here.
    public func launchExporter(_ plan: InstancePlan, runtime: InstanceRuntime) async throws -> InstanceRuntime { runtime }

    public func discover(_ runtime: InstanceRuntime) async throws -> Discovery {
        guard let job = runtime.job else { throw BenchError("slurm orchestrator: no job recorded for this instance") }
        if let file = try SlurmDiscoveryFile.read(job.discoveryPath), file.jobId == job.id || file.jobId.isEmpty {
            var updated = runtime
            updated.job?.node = file.node
            return .found(Endpoint(host: file.host, ports: file.ports), updated)
        }
        guard let info = try await control.info(job.id) else { return .waiting("job \(job.id) is gone from SLURM", queued: false) }
        remember(info, for: job.id)
        return .waiting("job \(job.id) \(info.summary)", queued: info.isPending)
    }

    public func poll(_ runtime: InstanceRuntime) -> ServerState? {
        guard let job = runtime.job else { return nil }
        let now = ContinuousClock.now
        let cached = cache.withLock { $0[job.id] }
        let info: SlurmJobInfo?
        if let cached, now - cached.at < pollInterval {
            info = cached.info
        } else {
            // nil: scontrol itself failed (slurmctld busy): say nothing rather than declare the job dead.
            guard let fresh = control.infoNow(job.id) else { return nil }
            info = fresh
            cache.withLock { $0[job.id] = (fresh, now) }
        }
        guard let info else { return .jobEnded(state: "GONE", reason: "SLURM no longer knows job \(job.id)", at: Date()) }
        return info.isActive ? nil : Self.state(info)
    }

    /// A job is found by its id: SLURM says whether it still runs.
    public func reattach(_ runtime: InstanceRuntime) -> (state: ServerState, note: String)? {
        poll(runtime).map { ($0, "\($0)") }
    }

    /// The server state of a job that ended.
    static func state(_ info: SlurmJobInfo) -> ServerState {
        .jobEnded(state: info.state, reason: info.summary, at: Date())
    }

    private func remember(_ info: SlurmJobInfo, for id: String) {
        cache.withLock { $0[id] = (info, ContinuousClock.now) }
    }

    public func stop(_ runtime: InstanceRuntime, grace: Duration) async {
        guard let job = runtime.job else { return }
        try? await control.cancel([job.id])
        // Wait until SLURM says it ended (its KillWait escalates to SIGKILL), so the port is free after a stop.
        let deadline = ContinuousClock.now + grace + .seconds(60)
        while ContinuousClock.now < deadline {
            guard let info = try? await control.info(job.id) else { break }
            remember(info, for: job.id)
            if !info.isActive { break }
            await ProcessGroupSignaller.pause(milliseconds: 200)
        }
        try? FileManager.default.removeItem(atPath: job.discoveryPath)
    }

    /// A job's processes are SLURM's to end, with the job.
    public func stopLeftovers(_ runtime: InstanceRuntime) async {}

    public func identity(_ runtime: InstanceRuntime) -> String { "job \(runtime.job?.id ?? "?")" }

    public func launchedLine(_ runtime: InstanceRuntime, endpoint: Endpoint) -> String {
        "submitted job \(runtime.job?.id ?? "?") (\(runtime.job?.name ?? "?"))"
    }

    public func foundLine(_ runtime: InstanceRuntime, endpoint: Endpoint) -> String {
        "job \(runtime.job?.id ?? "?") runs on \(runtime.job?.node ?? endpoint.host) at \(endpoint.host) (\(endpoint.portList))"
    }

    public func discoveryHint(_ runtime: InstanceRuntime, display: (String) -> String) -> String {
        runtime.job.map { " (" + display($0.discoveryPath) + ")" } ?? ""
    }

    public func leftoverRunning(_ runtime: InstanceRuntime, activeJobs: Set<String>) -> Bool {
        runtime.job.map { activeJobs.contains($0.id) } ?? false
    }

    /// The job itself is cancelled with the session's other jobs (`LeftoverCleaner`); this names it.
    public func cleanLeftover(_ runtime: InstanceRuntime, handle: Handle, recipe: String, activeJobs: Set<String>, grace: Duration) async -> String {
        let id = runtime.job?.id ?? "?"
        return activeJobs.contains(id) ? "cancelled \(handle) (\(recipe) job \(id))" : "\(handle) (\(recipe) job \(id)) had already ended"
    }

    public func owns(_ runtime: InstanceRuntime, jobId id: String) -> Bool { runtime.job?.id == id }

    public func stopNow(_ runtimes: [InstanceRuntime]) {
        control.cancelNow(runtimes.compactMap { $0.job?.id })
    }

    /// SLURM accounting is not assumed (sstat needs slurmdbd): no usage figures for jobs.
    public func usage(_ runtime: InstanceRuntime) -> ResourceUsage? { nil }

    public func details(_ runtime: InstanceRuntime) async -> [(String, String)] {
        guard let job = runtime.job else { return [] }
        var lines = [("job:", "\(job.id) (\(job.name))")]
        if let info = try? await control.info(job.id) {
            remember(info, for: job.id)
            lines.append(("job state:", info.summary))
            if let nodes = info.nodes { lines.append(("node:", nodes)) }
            if let partition = info.partition { lines.append(("partition:", partition)) }
            lines.append(("elapsed:", info.runTime ?? "-"))
            lines.append(("time limit:", info.timeLimit ?? "-"))
        } else {
            lines.append(("job state:", "unknown to SLURM (purged)"))
        }
        lines.append(("script:", job.scriptPath))
        return lines
    }
}
