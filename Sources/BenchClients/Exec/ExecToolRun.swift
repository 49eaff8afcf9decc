import BenchCore
import BenchPlacement
import Foundation
import Synchronization

/// One exec client run: the tool's setup commands, its warm-up and its measured run, each a process
/// group of its own whose output is kept in the run folder (`runs/rN.exec/`).
///
/// Ctrl-C or `client stop` kills the group at once (no orphan) and the run ends `interrupted`; a tool
/// that outlives the run's duration by more than the recipe's grace is killed and the run `failed`.
final class ExecToolRun: Sendable {
    /// How the tool's runs went; the result is built from it.
    struct Outcome: Sendable {
        var startedAt: Date
        var endedAt: Date
        /// Seconds the measured run took.
        var measuredSeconds: Double
        var exitStatus: ExitStatus?
        /// What the measured run printed (stdout and stderr interleaved).
        var output: String
        var failure: String?
        var interrupted = false
    }

    let invocation: ExecInvocation
    let params: ExecParams
    let plan: LoadPlan
    /// `runs/rN.exec/`: the tool's working directory and where its output is kept.
    let directory: URL
    let environment: [String: String]
    private let task = Mutex<Task<Outcome, Never>?>(nil)

    init(invocation: ExecInvocation, params: ExecParams, plan: LoadPlan, directory: URL, environment: [String: String]) {
        self.invocation = invocation
        self.params = params
        self.plan = plan
        self.directory = directory
        self.environment = environment
    }

    /// Refuses a tool that is not installed before the run takes a handle, naming its Debian package.
    static func checkInstalled(_ argv: [String], package: String?, environment: [String: String]) throws {
        guard let tool = argv.first else { return }
        do {
            _ = try ExecutableResolver.resolve(tool, environment: environment, workingDirectory: FileManager.default.currentDirectoryPath)
        } catch {
            let install = package.map { "; it is in Debian's '\($0)' package (apt-get install \($0))" } ?? "; the recipe names no package (params.package)"
            throw BenchError("client run: \(tool) is not installed or not on PATH\(install)")
        }
    }

    /// Runs every phase; `progress` gets a line about once a second while the measured run goes.
    func run(progress: @escaping @Sendable (String) -> Void) async -> Outcome {
        let work = Task { await self.phases(progress: progress) }
        task.withLock { $0 = work }
        return await work.value
    }

    /// Stops the tool now (Ctrl-C, `client stop`, bench leaving).
    func stop() {
        task.withLock { $0 }?.cancel()
    }

    private func phases(progress: @escaping @Sendable (String) -> Void) async -> Outcome {
        var outcome = Outcome(startedAt: Date(), endedAt: Date(), measuredSeconds: 0, output: "")
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            outcome.failure = "cannot create \(DisplayPath.of(directory)): \(error.localizedDescription)"
            return outcome
        }
        // Setup (tables, keys) is not measured; a slow one gets ten minutes.
        for (index, argv) in invocation.setup.enumerated() {
            let log = directory.appendingPathComponent("setup-\(index + 1).log").path
            progress("setup \(index + 1)/\(invocation.setup.count): \(argv.first ?? "")")
            switch await runOne(argv, log: log, timeout: .seconds(600), what: "params.setup[\(index)]") {
            case .success: continue
            case .failure(let failure):
                outcome.failure = failure.message
                outcome.interrupted = failure.interrupted
                outcome.endedAt = Date()
                return outcome
            }
        }
        if let warmup = invocation.warmup {
            progress("warm-up \(BenchDuration(seconds: plan.warmup)) (not measured)")
            let log = directory.appendingPathComponent("warmup.log").path
            if case .failure(let failure) = await runOne(warmup, log: log, timeout: .seconds(plan.warmup + params.grace.seconds), what: "the warm-up") {
                outcome.failure = failure.message
                outcome.interrupted = failure.interrupted
                outcome.endedAt = Date()
                return outcome
            }
        }

        let log = directory.appendingPathComponent("run.log").path
        let limit = (plan.duration ?? 600) + params.grace.seconds
        let started = ContinuousClock.now
        outcome.startedAt = Date()
        // The tool's own last line (pgbench -P, memcslap) is the best progress bench can show.
        let total = plan.duration
        let ticker = Task {
            var elapsed = 0.0
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(1))
                elapsed += 1
                let last = LogTail.lastLines(path: log, count: 1).first ?? ""
                let clock = total.map { String(format: "%.1fs/%.1fs", min(elapsed, $0), $0) } ?? String(format: "%.1fs", elapsed)
                progress("\(clock)  \(invocation.measured.first ?? ""): \(last.prefix(100))")
            }
        }
        let result = await runOne(invocation.measured, log: log, timeout: .seconds(limit), what: "the measured run")
        ticker.cancel()
        let elapsed = ContinuousClock.now - started
        outcome.measuredSeconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        outcome.endedAt = Date()
        outcome.output = LogTail.read(path: log) ?? ""
        switch result {
        case .success(let status):
            outcome.exitStatus = status
        case .failure(let failure):
            outcome.failure = failure.message
            outcome.interrupted = failure.interrupted
            outcome.exitStatus = failure.status
        }
        return outcome
    }

    /// Why a command of the run did not succeed.
    private struct Failure: Error {
        var message: String
        var interrupted = false
        var status: ExitStatus?
    }

    /// Runs one command to its end with its output in `log`; success is exit status 0.
    private func runOne(_ argv: [String], log: String, timeout: Duration, what: String) async -> Result<ExitStatus, Failure> {
        let tool = argv.first ?? "?"
        do {
            let output = try await CommandRunner.run(argv, environment: environment, workingDirectory: directory.path, timeout: timeout,
                                                     combinedOutput: log, stopsWhenCancelled: true)
            guard output.succeeded else {
                return .failure(Failure(message: "\(what) (\(tool)) \(output.status)\(ExecOutputReader.tail(output.stdout))", status: output.status))
            }
            return .success(output.status)
        } catch is CancellationError {
            return .failure(Failure(message: "stopped early (Ctrl-C or 'client stop'); \(tool) was stopped", interrupted: true))
        } catch let timedOut as CommandRunner.TimedOut {
            let text = LogTail.read(path: log) ?? ""
            return .failure(Failure(message: "\(what) (\(tool)) was still running after \(timedOut.timeout) (the run's length and "
                + "params.grace \(params.grace)) and was stopped\(ExecOutputReader.tail(text))"))
        } catch {
            return .failure(Failure(message: "\(what) (\(tool)) could not start: \(error)"))
        }
    }
}
