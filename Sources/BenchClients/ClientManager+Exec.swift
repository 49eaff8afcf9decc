import BenchCore
import BenchPlacement
import Foundation
import Synchronization

/// Exec clients: an external tool run as the load generator, its output turned into a standard result.
extension ClientManager {
    /// Starts an exec run in the background. A tool that is not installed, or a recipe that cannot
    /// describe this run, is refused before a handle is taken.
    func startExec(_ request: ClientRunRequest, params: ExecParams, progress: @escaping @Sendable (String) -> Void,
                   targetAlive: @escaping @Sendable () async -> String?) throws -> Handle {
        let environment = session.environment
        try ExecToolRun.checkInstalled(params.command, package: params.package, environment: environment)
        for argv in params.setup { try ExecToolRun.checkInstalled(argv, package: params.package, environment: environment) }
        let portName = request.target.portName ?? request.recipe.target?.port ?? "main"
        func render(_ directory: String) throws -> ExecInvocation {
            try ExecInvocation.render(params, plan: request.plan, host: request.target.host, port: request.target.port,
                                      portName: portName, runDirectory: directory)
        }
        _ = try render("RUN_DIR")  // refuses before a handle is taken

        let handle = try session.handles.allocate(.run, label: request.recipe.name)
        let directory: URL
        let invocation: ExecInvocation
        do {
            directory = try session.ensureDirectory().appendingPathComponent("runs/\(handle).exec", isDirectory: true)
            invocation = try render(directory.path)
        } catch {
            session.handles.discard([handle])
            throw error
        }
        let run = ExecToolRun(invocation: invocation, params: params, plan: request.plan, directory: directory, environment: environment)
        execRuns.withLock { $0[handle] = run }
        records[handle] = RunRecord(handle: handle, recipe: request.recipe.name, target: request.target.given, result: nil)
        session.logEvent("run-started", ["handle": handle.description, "recipe": request.recipe.name, "target": request.target.given,
                                         "command": ShellQuoting.join(invocation.measured)])
        tasks[handle] = Task {
            try await self.executeExec(handle: handle, run: run, request: request, params: params, progress: progress, targetAlive: targetAlive)
        }
        return handle
    }

    private func executeExec(handle: Handle, run: ExecToolRun, request: ClientRunRequest, params: ExecParams,
                             progress: @escaping @Sendable (String) -> Void, targetAlive: @escaping @Sendable () async -> String?) async throws -> RunResult {
        let targetFailure = Mutex<String?>(nil)
        // A target that dies ends the tool too, as it ends a native run.
        let watcher = Self.watchTarget(targetAlive) { reason in
            targetFailure.withLock { $0 = reason }
            run.stop()
        }
        let outcome = await run.run { progress("\(handle) " + $0) }
        watcher.cancel()
        execRuns.withLock { $0[handle] = nil }

        var result = ExecRunResult.build(outcome, params: params, request: request, run: handle.description, session: session.name,
                                         outputPath: DisplayPath.of(run.directory.appendingPathComponent("run.log")),
                                         latencyLogFiles: run.invocation.latencyLogFiles,
                                         targetFailure: targetFailure.withLock { $0 }.map { "target \(request.target.given) failed during the run: \($0)" })
        if let server = request.target.server, let serverSide {
            result.monitor = await serverSide(server, result.startedAt, result.endedAt)
        }
        return try keep(result, handle: handle, request: request)
    }
}
