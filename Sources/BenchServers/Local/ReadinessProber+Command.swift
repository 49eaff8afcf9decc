import BenchCore
import Foundation
import Glibc

/// The `command` probe: a program (e.g. `pg_isready`) exits with status 0.
extension ReadinessProber {
    static func probeCommand(_ argv: [String], environment: [String: String], workingDirectory: String,
                             timeout: Duration = commandTimeout) async -> ProbeResult {
        // Its output goes to a scratch file, so a failure can quote the program's last words.
        let outputPath = NSTemporaryDirectory() + "bench-probe-\(UUID().uuidString).log"
        defer { unlink(outputPath) }
        let process: LaunchedProcess
        do {
            process = try ProcessLauncher.launch(LaunchSpec(
                argv: argv, environment: environment, workingDirectory: workingDirectory,
                stdoutPath: outputPath, stderrPath: outputPath))
        } catch let error as BenchError {
            return .notReady(error.message)
        } catch {
            return .notReady("\(error)")
        }
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while true {
            if let status = ProcessInspector.reap(pid: process.pid) {
                // The probe's own children (if any) must not outlive it.
                ProcessGroupSignaller.signal(group: process.processGroup, SIGKILL)
                if status == .exited(0) { return .ready }
                let last = LogTail.lastLines(path: outputPath, count: 1, maxBytes: 4096).first ?? ""
                let what = if case .exited(let code) = status { "exited \(code)" } else { "\(status)" }
                return .notReady(last.isEmpty ? "command \(what)" : "command \(what): \(last)")
            }
            if ContinuousClock.now >= deadline || Task.isCancelled {
                ProcessGroupSignaller.signal(group: process.processGroup, SIGKILL)
                // SIGKILL cannot be ignored: a blocking wait here returns promptly.
                var status: Int32 = 0
                while waitpid(process.pid, &status, 0) == -1 && errno == EINTR {}
                return .notReady(Task.isCancelled ? "command cancelled"
                                 : "command did not finish within \(secondsText(timeout))s")
            }
            await ProcessGroupSignaller.pause(milliseconds: 20)
        }
    }
}
