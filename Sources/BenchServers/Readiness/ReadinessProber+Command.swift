import BenchCore
import BenchPlacement
import Foundation
import Glibc

/// The `command` probe: a program (e.g. `pg_isready`) exits with status 0.
extension ReadinessProber {
    static func probeCommand(_ argv: [String], environment: [String: String], workingDirectory: String,
                             timeout: Duration = commandTimeout) async -> ProbeResult {
        // Its output goes to one scratch file, so a failure can quote the program's last words.
        let outputPath = NSTemporaryDirectory() + "bench-probe-\(UUID().uuidString).log"
        defer { unlink(outputPath) }
        let output: CommandRunner.Output
        do {
            output = try await CommandRunner.run(argv, environment: environment, workingDirectory: workingDirectory, timeout: timeout,
                                                 combinedOutput: outputPath, stopsWhenCancelled: true)
        } catch is CancellationError {
            return .notReady("command cancelled")
        } catch is CommandRunner.TimedOut {
            return .notReady("command did not finish within \(secondsText(timeout))s")
        } catch let error as BenchError {
            return .notReady(error.message)
        } catch {
            return .notReady("\(error)")
        }
        if output.succeeded { return .ready }
        let last = LogTail.lastLines(path: outputPath, count: 1, maxBytes: 4096).first ?? ""
        let what = if case .exited(let code) = output.status { "exited \(code)" } else { "\(output.status)" }
        return .notReady(last.isEmpty ? "command \(what)" : "command \(what): \(last)")
    }
}
