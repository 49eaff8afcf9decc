import BenchCore
import Foundation

/// Runs instances as local processes, each in its own process group, logs in the session folder.
public struct LocalOrchestrator: Orchestrator {
    public let name = "local"

    public init() {}

    public func launch(_ plan: InstancePlan) async throws -> InstanceRuntime {
        try FileWriting.createDirectory(atPath: plan.dataDirectory)
        try FileWriting.createDirectory(atPath: plan.logDirectory)
        try FileWriting.createDirectory(atPath: plan.workingDirectory)
        // Gated: it starts once the caller has listed it in state.json (InstanceRuntime.openLaunchGates).
        let main = try ProcessLauncher.launchGated(LaunchSpec(
            argv: plan.argv, environment: plan.environment, workingDirectory: plan.workingDirectory,
            stdoutPath: plan.stdoutPath, stderrPath: plan.stderrPath))
        return InstanceRuntime(main: main)
    }

    public func launchExporter(_ plan: InstancePlan, runtime: InstanceRuntime) async throws -> InstanceRuntime {
        guard let exporterArgv = plan.exporterArgv else { return runtime }
        var updated = runtime
        do {
            updated.exporter = try ProcessLauncher.launchGated(LaunchSpec(
                argv: exporterArgv, environment: plan.environment.merging(plan.exporterEnvironment) { $1 },
                workingDirectory: plan.dataDirectory,
                stdoutPath: plan.logDirectory + "/exporter.stdout.log", stderrPath: plan.logDirectory + "/exporter.stderr.log"))
        } catch {
            throw BenchError("metrics exporter: \(error)")
        }
        return updated
    }

    public func poll(_ runtime: InstanceRuntime) -> ServerState? {
        guard let main = runtime.main else { return nil }
        if let status = ProcessInspector.reap(pid: main.pid) {
            switch status {
            case .exited(let code): return .exited(code: code, at: Date())
            case .signaled(let signal): return .killed(signal: signal, at: Date())
            }
        }
        // Not our child (after --attach) or already reaped: fall back to "is it still that process?".
        if !ProcessInspector.isSameProcess(pid: main.pid, startTime: main.startTime) {
            return .exited(code: nil, at: Date())
        }
        return nil
    }

    public func stop(_ runtime: InstanceRuntime, grace: Duration) async {
        // The exporter first, so it does not log errors about a target going away.
        let processes = [runtime.exporter, runtime.main].compactMap { $0 }
        LaunchGate.discard(processes.map(\.pid))
        for process in processes {
            _ = await ProcessGroupSignaller.terminate(group: process.processGroup, leader: process.pid, grace: grace)
        }
    }

    public func stopNow(_ runtimes: [InstanceRuntime]) {
        let groups = runtimes.flatMap { [$0.exporter, $0.main].compactMap { $0 } }
        ProcessGroupSignaller.terminateNow(groups.map(\.processGroup), grace: .seconds(3))
    }

    public func reattach(_ runtime: InstanceRuntime) -> (state: ServerState, note: String)? {
        if runtime.main.map({ ProcessInspector.isSameProcess(pid: $0.pid, startTime: $0.startTime) }) == true { return nil }
        return (.exited(code: nil, at: Date()), "its process no longer runs")
    }

    /// Whatever the main process forked that outlived it (nginx's workers keep the port when only
    /// the master is killed) and the exporter, so an ended server leaves no orphans.
    public func stopLeftovers(_ runtime: InstanceRuntime) async {
        await stop(runtime, grace: .seconds(2))
    }

    public func identity(_ runtime: InstanceRuntime) -> String { "pid \(runtime.main.map { String($0.pid) } ?? "?")" }

    public func launchedLine(_ runtime: InstanceRuntime, endpoint: Endpoint) -> String {
        "started \(identity(runtime)) on \(endpoint.host) (\(endpoint.portList))"
    }

    public func leftoverRunning(_ runtime: InstanceRuntime, activeJobs: Set<String>) -> Bool {
        [runtime.main, runtime.exporter].compactMap { $0 }.contains { ProcessInspector.isSameProcess(pid: $0.pid, startTime: $0.startTime) }
    }

    public func cleanLeftover(_ runtime: InstanceRuntime, handle: Handle, recipe: String, activeJobs: Set<String>, grace: Duration) async -> String {
        var stoppedAny = false
        for process in [runtime.exporter, runtime.main].compactMap({ $0 })
        where ProcessInspector.isSameProcess(pid: process.pid, startTime: process.startTime) {
            _ = await ProcessGroupSignaller.terminate(group: process.processGroup, leader: nil, grace: grace)
            stoppedAny = true
        }
        let pid = runtime.main.map { " pid \($0.pid)" } ?? ""
        return stoppedAny ? "stopped \(handle) (\(recipe)\(pid))" : "\(handle) (\(recipe)) was already gone"
    }

    public func usage(_ runtime: InstanceRuntime) -> ResourceUsage? {
        guard let main = runtime.main else { return nil }
        return ProcessInspector.usage(ofGroup: main.processGroup)
    }
}
