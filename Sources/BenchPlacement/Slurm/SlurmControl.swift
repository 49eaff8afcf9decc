import BenchCore
import Foundation

/// The SLURM commands bench uses (sbatch, scontrol, scancel, squeue), run with the session's environment.
public struct SlurmControl: Sendable {
    public let environment: [String: String]

    public init(environment: [String: String]) {
        self.environment = environment
    }

    /// Whether the SLURM client commands are installed here; the error tells the user what to do instead.
    public func checkAvailable() throws {
        let cwd = FileManager.default.currentDirectoryPath
        for command in ["sbatch", "scontrol", "scancel", "squeue"] {
            if (try? ExecutableResolver.resolve(command, environment: environment, workingDirectory: cwd)) == nil {
                throw BenchError("no SLURM here: '\(command)' is not on PATH; use --on local (or run bench on the cluster's login node)")
            }
        }
    }

    /// Submits a batch script; returns the job id. `extraArguments` come before the script path
    /// (the account goes there, so it is never written into a file).
    public func submit(scriptPath: String, extraArguments: [String] = []) async throws -> String {
        let output = try await CommandRunner.run(["sbatch", "--parsable"] + extraArguments + [scriptPath], environment: environment)
        guard output.succeeded else {
            throw BenchError("sbatch rejected the job: \(output.message.isEmpty ? "\(output.status)" : output.message)")
        }
        // --parsable prints `ID` or `ID;CLUSTER`.
        let first = output.stdout.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\n").last.map(String.init) ?? ""
        let id = first.split(separator: ";").first.map(String.init) ?? ""
        guard !id.isEmpty, id.allSatisfy({ $0.isNumber || $0 == "_" }) else {
            throw BenchError("sbatch printed no job id: \(output.stdout.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        return id
    }

    /// The job's state, or nil when SLURM no longer knows the id (purged after MinJobAge).
    public func info(_ id: String) async throws -> SlurmJobInfo? {
        let output = try await CommandRunner.run(["scontrol", "show", "job", id, "-o"], environment: environment, timeout: .seconds(15))
        return try Self.interpret(output, id: id)
    }

    /// `info`, blocking: for `poll`, which the manager calls synchronously.
    public func infoNow(_ id: String) -> SlurmJobInfo?? {
        guard let output = CommandRunner.runNow(["scontrol", "show", "job", id, "-o"], environment: environment) else { return nil }
        return try? Self.interpret(output, id: id)
    }

    static func interpret(_ output: CommandRunner.Output, id: String) throws -> SlurmJobInfo? {
        if output.succeeded, let info = SlurmJobInfo.parse(scontrolLine: output.stdout) { return info }
        if output.message.contains("Invalid job id") { return nil }
        throw BenchError("scontrol show job \(id): \(output.message)")
    }

    /// Cancels jobs (SIGTERM to their processes, SIGKILL after the cluster's KillWait).
    public func cancel(_ ids: [String]) async throws {
        guard !ids.isEmpty else { return }
        let output = try await CommandRunner.run(["scancel"] + ids, environment: environment)
        if !output.succeeded && !output.message.contains("already completing or completed") && !output.message.contains("Invalid job id") {
            throw BenchError("scancel \(ids.joined(separator: " ")): \(output.message)")
        }
    }

    /// `cancel`, blocking: for signal handlers.
    public func cancelNow(_ ids: [String]) {
        guard !ids.isEmpty else { return }
        _ = CommandRunner.runNow(["scancel"] + ids, environment: environment)
    }

    /// Ids and names of the user's queued and running jobs, blocking (cleanup scans at start-up);
    /// nil where squeue fails.
    public func activeJobsNow() -> [(id: String, name: String)]? {
        guard let output = CommandRunner.runNow(["squeue", "-h", "--me", "-o", "%i|%j"], environment: environment), output.succeeded else {
            return nil
        }
        return output.stdout.split(separator: "\n").compactMap { line in
            let parts = line.split(separator: "|", maxSplits: 1).map(String.init)
            return parts.count == 2 ? (parts[0], parts[1]) : nil
        }
    }
}
