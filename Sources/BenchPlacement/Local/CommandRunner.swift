import BenchCore
import Foundation
import Glibc

/// Runs a short command to completion and captures what it printed (sbatch, scontrol, promtool, a
/// readiness probe's command).
///
/// Built on `ProcessLauncher` rather than Foundation's `Process`, which reaps children itself and
/// would race our own `waitpid` of servers. The command's whole process group is killed when it
/// ends, so nothing it forked outlives it.
public enum CommandRunner {
    /// How a finished command ended and what it printed.
    public struct Output: Sendable, Equatable {
        public var status: ExitStatus
        public var stdout: String
        /// Empty when the output was combined into one file (`combinedOutput`).
        public var stderr: String

        public var succeeded: Bool { status == .exited(0) }

        /// stderr, else stdout, trimmed: what to quote when the command failed.
        public var message: String {
            let err = stderr.trimmingCharacters(in: .whitespacesAndNewlines)
            return err.isEmpty ? stdout.trimmingCharacters(in: .whitespacesAndNewlines) : err
        }
    }

    /// The command did not finish in time; its process group was killed.
    public struct TimedOut: Error, CustomStringConvertible {
        public let argv: [String]
        public let timeout: Duration
        public var description: String { "'\(argv.joined(separator: " "))' did not finish within \(timeout)" }
    }

    /// Runs `argv` with `environment` and returns once it exits.
    ///
    /// - Parameters:
    ///   - timeout: the process group is killed after this long, and `TimedOut` thrown.
    ///   - combinedOutput: a file that takes stdout and stderr interleaved, kept afterwards (its text is
    ///     `Output.stdout`); by default both go to scratch files that are removed.
    ///   - stopsWhenCancelled: a cancelled task kills the command and throws `CancellationError`. Off by
    ///     default: stopping work (scancel on Ctrl-C) must finish even in a cancelled task.
    public static func run(_ argv: [String], environment: [String: String], workingDirectory: String = FileManager.default.currentDirectoryPath,
                           timeout: Duration = .seconds(30), combinedOutput: String? = nil, stopsWhenCancelled: Bool = false) async throws -> Output {
        let files = OutputFiles(combined: combinedOutput)
        defer { files.removeScratch() }
        let process = try ProcessLauncher.launch(LaunchSpec(argv: argv, environment: environment, workingDirectory: workingDirectory,
                                                            stdoutPath: files.stdout, stderrPath: files.stderr))
        let deadline = ContinuousClock.now.advanced(by: timeout)
        var pause = 2
        while true {
            if let status = ProcessInspector.reap(pid: process.pid) {
                ProcessGroupSignaller.signal(group: process.processGroup, SIGKILL)
                return files.output(status)
            }
            let cancelled = stopsWhenCancelled && Task.isCancelled
            if ContinuousClock.now >= deadline || cancelled {
                kill(process)
                if cancelled { throw CancellationError() }
                throw TimedOut(argv: argv, timeout: timeout)
            }
            // Most of these commands answer in a few milliseconds: poll fast first, then back off.
            await ProcessGroupSignaller.pause(milliseconds: pause)
            pause = min(pause * 2, 20)
        }
    }

    /// `run`, blocking the calling thread: for signal handlers and exit paths with no time for tasks.
    /// nil when the command could not start or did not finish within `timeout`.
    public static func runNow(_ argv: [String], environment: [String: String], timeout: Duration = .seconds(10)) -> Output? {
        let files = OutputFiles(combined: nil)
        defer { files.removeScratch() }
        guard let process = try? ProcessLauncher.launch(LaunchSpec(argv: argv, environment: environment,
                                                                   workingDirectory: FileManager.default.currentDirectoryPath,
                                                                   stdoutPath: files.stdout, stderrPath: files.stderr)) else { return nil }
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while ContinuousClock.now < deadline {
            if let status = ProcessInspector.reap(pid: process.pid) {
                ProcessGroupSignaller.signal(group: process.processGroup, SIGKILL)
                return files.output(status)
            }
            usleep(5000)
        }
        kill(process)
        return nil
    }

    /// SIGKILL to the group, then reap the leader (SIGKILL cannot be ignored: the wait is short).
    private static func kill(_ process: LaunchedProcess) {
        ProcessGroupSignaller.signal(group: process.processGroup, SIGKILL)
        var status: Int32 = 0
        while waitpid(process.pid, &status, 0) == -1 && errno == EINTR {}
    }

    /// Where a command's output goes: scratch files of its own, or one combined file the caller keeps.
    private struct OutputFiles {
        let stdout: String
        let stderr: String
        let scratch: Bool

        init(combined: String?) {
            if let combined {
                stdout = combined
                stderr = combined
                scratch = false
            } else {
                let base = NSTemporaryDirectory() + "bench-cmd-\(UUID().uuidString)"
                stdout = base + ".out"
                stderr = base + ".err"
                scratch = true
            }
        }

        func output(_ status: ExitStatus) -> Output {
            Output(status: status, stdout: Self.read(stdout), stderr: stderr == stdout ? "" : Self.read(stderr))
        }

        func removeScratch() {
            guard scratch else { return }
            unlink(stdout)
            unlink(stderr)
        }

        private static func read(_ path: String) -> String {
            (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        }
    }
}
