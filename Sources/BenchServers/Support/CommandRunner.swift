import BenchCore
import Foundation
import Glibc

/// Runs a short command to completion and captures what it printed (sbatch, squeue, scancel).
///
/// Built on `ProcessLauncher` rather than Foundation's `Process`, which reaps children itself and
/// would race our own `waitpid` of servers.
public enum CommandRunner {
    /// How a finished command ended and what it printed.
    public struct Output: Sendable, Equatable {
        public var status: ExitStatus
        public var stdout: String
        public var stderr: String

        public var succeeded: Bool { status == .exited(0) }

        /// stderr, else stdout, trimmed: what to quote when the command failed.
        public var message: String {
            let err = stderr.trimmingCharacters(in: .whitespacesAndNewlines)
            return err.isEmpty ? stdout.trimmingCharacters(in: .whitespacesAndNewlines) : err
        }
    }

    /// Runs `argv` with `environment` and returns once it exits; kills its process group after `timeout`.
    /// Throws when it cannot start or did not finish in time.
    public static func run(_ argv: [String], environment: [String: String], workingDirectory: String = FileManager.default.currentDirectoryPath,
                           timeout: Duration = .seconds(30)) async throws -> Output {
        let base = NSTemporaryDirectory() + "bench-cmd-\(UUID().uuidString)"
        let outPath = base + ".out", errPath = base + ".err"
        defer {
            unlink(outPath)
            unlink(errPath)
        }
        let process = try ProcessLauncher.launch(LaunchSpec(argv: argv, environment: environment, workingDirectory: workingDirectory,
                                                            stdoutPath: outPath, stderrPath: errPath))
        let deadline = ContinuousClock.now.advanced(by: timeout)
        var pause = 2
        while true {
            if let status = ProcessInspector.reap(pid: process.pid) {
                return Output(status: status, stdout: read(outPath), stderr: read(errPath))
            }
            if ContinuousClock.now >= deadline {
                ProcessGroupSignaller.signal(group: process.processGroup, SIGKILL)
                var status: Int32 = 0
                while waitpid(process.pid, &status, 0) == -1 && errno == EINTR {}
                throw BenchError("'\(argv.joined(separator: " "))' did not finish within \(timeout)")
            }
            // Most of these commands answer in a few milliseconds: poll fast first, then back off.
            await ProcessGroupSignaller.pause(milliseconds: pause)
            pause = min(pause * 2, 50)
        }
    }

    /// `run`, blocking the calling thread: for signal handlers and exit paths with no time for tasks.
    public static func runNow(_ argv: [String], environment: [String: String], timeout: Duration = .seconds(10)) -> Output? {
        let base = NSTemporaryDirectory() + "bench-cmd-\(UUID().uuidString)"
        let outPath = base + ".out", errPath = base + ".err"
        defer {
            unlink(outPath)
            unlink(errPath)
        }
        guard let process = try? ProcessLauncher.launch(LaunchSpec(argv: argv, environment: environment,
                                                                   workingDirectory: FileManager.default.currentDirectoryPath,
                                                                   stdoutPath: outPath, stderrPath: errPath)) else { return nil }
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while ContinuousClock.now < deadline {
            if let status = ProcessInspector.reap(pid: process.pid) {
                return Output(status: status, stdout: read(outPath), stderr: read(errPath))
            }
            usleep(5000)
        }
        ProcessGroupSignaller.signal(group: process.processGroup, SIGKILL)
        var status: Int32 = 0
        while waitpid(process.pid, &status, 0) == -1 && errno == EINTR {}
        return nil
    }

    private static func read(_ path: String) -> String {
        (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    }
}
