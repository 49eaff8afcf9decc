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

    /// Sessions under `root` with running servers. `includeOwned` also lists sessions whose bench still runs.
    public static func scan(_ root: URL, includeOwned: Bool = false,
                            environment: [String: String] = ProcessInfo.processInfo.environment) -> [Leftover] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: root.path) else { return [] }
        var jobsBySession: [String: [ActiveJob]]?
        return names.sorted().compactMap { name in
            let url = root.appendingPathComponent(name).appendingPathComponent("state.json")
            guard let state = try? SessionStateFile.load(url) else { return nil }
            if !includeOwned && state.ownerIsAlive && state.ownerPid != getpid() { return nil }
            // The queue is asked once, and only when some session may have left jobs.
            if state.usedSlurm == true || state.servers.contains(where: { $0.runtime.job != nil }) {
                jobsBySession = jobsBySession ?? activeJobsBySession(environment: environment)
            }
            let jobs = jobsBySession?[name] ?? []
            let jobIds = Set(jobs.map(\.id))
            let running = state.liveServers.filter { server in
                if let job = server.runtime.job { return jobIds.contains(job.id) }
                return [server.runtime.main, server.runtime.exporter].compactMap { $0 }.contains {
                    ProcessInspector.isSameProcess(pid: $0.pid, startTime: $0.startTime)
                }
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
        for index in state.servers.indices where state.servers[index].state.isLive {
            let server = state.servers[index]
            var stoppedAny = false
            if let job = server.runtime.job {
                let active = leftover.jobs.contains { $0.id == job.id }
                state.servers[index].state = .stopped(at: Date())
                lines.append(active ? "\(leftover.name): cancelled \(server.handle) (\(server.recipeName) job \(job.id))"
                                    : "\(leftover.name): \(server.handle) (\(server.recipeName) job \(job.id)) had already ended")
                continue
            }
            for process in [server.runtime.exporter, server.runtime.main].compactMap({ $0 })
            where ProcessInspector.isSameProcess(pid: process.pid, startTime: process.startTime) {
                _ = await ProcessGroupSignaller.terminate(group: process.processGroup, leader: nil, grace: grace)
                stoppedAny = true
            }
            state.servers[index].state = .stopped(at: Date())
            let pid = server.runtime.main.map { " pid \($0.pid)" } ?? ""
            lines.append(stoppedAny ? "\(leftover.name): stopped \(server.handle) (\(server.recipeName)\(pid))"
                                    : "\(leftover.name): \(server.handle) (\(server.recipeName)) was already gone")
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
            let others = leftover.jobs.filter { job in !state.servers.contains { $0.runtime.job?.id == job.id } }
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
