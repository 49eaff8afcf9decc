import BenchCore
import BenchPlacement
import Foundation

/// Finds and stops servers that a bench killed with SIGKILL (or detached) left running.
///
/// Each process is checked to still be the one bench started (pid and start time) before it is
/// signalled, so a reused pid is never hit.
public enum LeftoverCleaner {
    /// A session folder whose state file lists servers that may still run.
    public struct Leftover: Sendable {
        public let name: String
        public let stateURL: URL
        public let state: SessionStateFile
        /// Live servers whose main process is still the one bench started.
        public let running: [ServerInstance]
        /// Monitor processes (by handle) still running.
        public let auxiliary: [String: [LaunchedProcess]]
        /// SLURM jobs still queued or running under the session's job name prefix (servers, clients, monitors).
        public let jobs: [ActiveJob]
    }

    /// A job found by name in the queue.
    public struct ActiveJob: Sendable, Equatable {
        public let id: String
        public let name: String
    }

    /// The user's queued and running jobs named `bench-SESSION-HANDLE`, by session name; empty where SLURM is not installed.
    static func activeJobsBySession(environment: [String: String]) -> [String: [ActiveJob]] {
        // No squeue here (runNow cannot start it): no jobs.
        guard let jobs = SlurmControl(environment: environment).activeJobsNow() else { return [:] }
        var bySession: [String: [ActiveJob]] = [:]
        for job in jobs {
            guard let session = SlurmJob.session(fromJobName: job.name) else { continue }
            bySession[session, default: []].append(ActiveJob(id: job.id, name: job.name))
        }
        return bySession
    }

    private static func runningAuxiliary(_ state: SessionStateFile) -> [String: [LaunchedProcess]] {
        (state.auxiliary ?? [:]).compactMapValues { processes in
            let alive = processes.filter { ProcessInspector.isSameProcess(pid: $0.pid, startTime: $0.startTime) }
            return alive.isEmpty ? nil : alive
        }
    }

    /// The orchestrators that may have started a state file's servers, by name.
    static func orchestrators(environment: [String: String]) -> [String: any Orchestrator] {
        let all: [any Orchestrator] = [LocalOrchestrator(), SlurmOrchestrator(environment: environment)]
        return Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0) })
    }

    /// Sessions under `root` with running servers. `includeOwned` also lists sessions whose bench still runs.
    public static func scan(_ root: URL, includeOwned: Bool = false,
                            environment: [String: String] = ProcessInfo.processInfo.environment) -> [Leftover] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: root.path) else { return [] }
        var jobsBySession: [String: [ActiveJob]]?
        let orchestrators = orchestrators(environment: environment)
        return names.sorted().compactMap { name in
            let url = root.appendingPathComponent(name).appendingPathComponent("state.json")
            guard let state = try? SessionStateFile.load(url) else { return nil }
            if !includeOwned && state.ownerIsAlive && state.ownerPid != getpid() { return nil }
            // The queue is asked once, and only when some session may have left jobs.
            if state.usedSlurm == true || state.servers.contains(where: { orchestrators[$0.orchestrator]?.decidesEndpointRemotely == true }) {
                jobsBySession = jobsBySession ?? activeJobsBySession(environment: environment)
            }
            let jobs = jobsBySession?[name] ?? []
            let jobIds = Set(jobs.map(\.id))
            let running = state.liveServers.filter { server in
                orchestrators[server.orchestrator]?.leftoverRunning(server.runtime, activeJobs: jobIds) ?? false
            }
            let auxiliary = runningAuxiliary(state)
            return running.isEmpty && auxiliary.isEmpty && jobs.isEmpty
                ? nil : Leftover(name: name, stateURL: url, state: state, running: running, auxiliary: auxiliary, jobs: jobs)
        }
    }

    /// Stops a leftover session's servers and marks them stopped in its state file; returns one line per server.
    public static func clean(_ leftover: Leftover, grace: Duration = .seconds(10)) async -> [String] {
        var lines: [String] = []
        var state = leftover.state
        let orchestrators = orchestrators(environment: ProcessInfo.processInfo.environment)
        let activeJobs = Set(leftover.jobs.map(\.id))
        for index in state.servers.indices where state.servers[index].state.isLive {
            let server = state.servers[index]
            let line = await orchestrators[server.orchestrator]?.cleanLeftover(
                server.runtime, handle: server.handle, recipe: server.recipeName, activeJobs: activeJobs, grace: grace)
            state.servers[index].state = .stopped(at: Date())
            lines.append("\(leftover.name): " + (line ?? "\(server.handle) (\(server.recipeName)) was already gone"))
        }
        for (handle, processes) in leftover.auxiliary.sorted(by: { $0.key < $1.key }) {
            for process in processes where ProcessInspector.isSameProcess(pid: process.pid, startTime: process.startTime) {
                _ = await ProcessGroupSignaller.terminate(group: process.processGroup, leader: nil, grace: grace)
            }
            lines.append("\(leftover.name): stopped \(handle)'s processes (pids \(processes.map { String($0.pid) }.joined(separator: ", ")))")
        }
        if !leftover.jobs.isEmpty {
            let ids = leftover.jobs.map(\.id)
            SlurmControl(environment: ProcessInfo.processInfo.environment).cancelNow(ids)
            let others = leftover.jobs.filter { job in
                !state.servers.contains { orchestrators[$0.orchestrator]?.owns($0.runtime, jobId: job.id) == true }
            }
            if !others.isEmpty {
                lines.append("\(leftover.name): cancelled job\(others.count == 1 ? "" : "s") \(others.map { "\($0.id) (\($0.name))" }.joined(separator: ", "))")
            }
        }
        state.auxiliary = nil
        let serverHandles = Set(state.servers.map(\.handle))
        for index in state.handles.indices where serverHandles.contains(state.handles[index].handle) { state.handles[index].live = false }
        state.detached = false
        state.updatedAt = Date()
        do {
            try state.write(to: leftover.stateURL)
        } catch {
            lines.append("\(leftover.name): warning: could not update \(leftover.stateURL.path): \(error)")
        }
        return lines
    }
}
