import BenchCore
import BenchClients
import BenchMonitors
import BenchServers
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Turns lines into commands and runs them: one dispatch path for the prompt, batch, `-c`, `source` and replay.
@MainActor
public final class Shell: ShellControl {
    /// How one line ended.
    public enum Outcome: Equatable {
        case success
        /// Blank or comment-only line.
        case empty
        case failure(BenchError)
        case interrupted
    }

    public let session: Session
    public let servers: ServerManager
    public let clients: ClientManager
    public let monitors: MonitorManager
    public let registry: CommandRegistry
    public let console: Console
    public let recorder: SessionRecorder
    public let interrupts: InterruptMonitor
    /// Go on after a failing command in batch, `-c` and replay (psql's ON_ERROR_STOP off).
    public var continueOnError = false
    private var editor: LineEditor?
    private var exitRequested = false
    private var sourceDepth = 0

    /// True after `detach`: leave servers running when the shell ends.
    public private(set) var detachRequested = false

    public init(session: Session, servers: ServerManager, clients: ClientManager, monitors: MonitorManager, registry: CommandRegistry,
                console: Console, recorder: SessionRecorder, interrupts: InterruptMonitor) {
        self.session = session
        self.servers = servers
        self.clients = clients
        self.monitors = monitors
        self.registry = registry
        self.console = console
        self.recorder = recorder
        self.interrupts = interrupts
    }

    // MARK: ShellControl

    public func requestExit() { exitRequested = true }
    public func requestDetach() {
        detachRequested = true
        exitRequested = true
    }
    public var historyEntries: [String] { editor?.history ?? [] }

    public func runLines(_ lines: [String], sourceName: String) async throws {
        sourceDepth += 1
        defer { sourceDepth -= 1 }
        guard sourceDepth <= 8 else { throw BenchError("source: files nest more than 8 deep (does '\(sourceName)' source itself?)") }
        var firstFailure: BenchError?
        for (index, line) in lines.enumerated() {
            switch await execute(line, location: "\(sourceName):\(index + 1)") {
            case .success, .empty: continue
            case .interrupted: throw BenchError.interrupted
            case .failure(let error):
                // The error was printed with its location; the caller only needs to know the file failed.
                if !continueOnError { throw BenchError("\(sourceName):\(index + 1): command failed", kind: error.kind) }
                firstFailure = firstFailure ?? error
            }
            if exitRequested { break }
        }
        if let firstFailure { throw BenchError("\(sourceName): some commands failed", kind: firstFailure.kind) }
    }

    // MARK: Dispatch

    /// Parses, runs and records one line. `location` (`FILE:LINE`) prefixes errors outside the prompt.
    public func execute(_ line: String, location: String?) async -> Outcome {
        // SIGTERM or SIGHUP came: bench is leaving, and starts nothing more.
        if interrupts.terminationSignal != nil { return .interrupted }
        // A server that died since the last command is reported before the next one runs.
        for notice in session.takeNotices() { console.info(notice) }
        let words: [String]
        do {
            words = try ShellTokenizer.tokenize(line)
        } catch let error as BenchError {
            return fail(line: line, error: error, location: location)
        } catch {
            return fail(line: line, error: BenchError("\(error)"), location: location)
        }
        guard !words.isEmpty else { return .empty }
        let invocation: Invocation
        do {
            invocation = try registry.parse(words)
        } catch let error as BenchError {
            return fail(line: line, error: error, location: location)
        } catch {
            return fail(line: line, error: BenchError("\(error)"), location: location)
        }

        let context = CommandContext(session: session, servers: servers, clients: clients, monitors: monitors, console: console, shell: self)
        let started = ContinuousClock.now
        let task = Task { @MainActor in try await invocation.spec.run(invocation, context) }
        interrupts.beginCommand { task.cancel() }
        var failure: BenchError?
        do {
            try await task.value
        } catch let error as BenchError {
            failure = error
        } catch is CancellationError {
            failure = .interrupted
        } catch {
            failure = BenchError("\(error)")
        }
        var wasInterrupted = interrupts.endCommand()
        let output = context.takeOutput()
        if context.interruptEndsNormally && (wasInterrupted || failure?.kind == .interrupted) {
            // The terminal echoed ^C without a newline.
            if console.isInteractive { console.printError("") }
            wasInterrupted = false
            failure = nil
        }

        if wasInterrupted || failure?.kind == .interrupted {
            for text in output { console.print(text) }
            try? recorder.recordInterrupted(invocation.normalizedLine(adding: context.resolvedOptions),
                                            producedHandles: context.producedHandles)
            // The terminal echoed ^C without a newline.
            if console.isInteractive { console.printError("") }
            switch interrupts.terminationSignal {
            case SIGTERM?: console.error("interrupted by SIGTERM (bench is leaving)", location: location)
            case SIGHUP?: console.error("interrupted by SIGHUP (bench is leaving)", location: location)
            default: console.error("interrupted", location: location)
            }
            return .interrupted
        }
        if let failure {
            for text in output { console.print(text) }
            return fail(line: invocation.normalizedLine(adding: context.resolvedOptions), error: failure, location: location,
                        producedHandles: context.producedHandles)
        }
        if invocation.spec.recording == .always && !context.suppressRecording {
            do {
                try recorder.recordSuccess(invocation.normalizedLine(adding: context.resolvedOptions), producedHandles: context.producedHandles)
            } catch {
                // The command ran but the script lacks it: say so rather than pretend the session is replayable.
                for text in output { console.print(text) }
                return fail(line: invocation.normalizedLine, error: BenchError("ran, but could not be recorded: \(error)"), location: location)
            }
        }
        for text in output { console.print(text) }
        if session.settings["timing"] == "on" {
            let elapsed = ContinuousClock.now - started
            console.info(String(format: "Time: %.3f ms", Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15))
        }
        return .success
    }

    private func fail(line: String, error: BenchError, location: String?, producedHandles: [Handle] = []) -> Outcome {
        console.error(error.message, location: location)
        do {
            try recorder.recordFailure(line, error: error.message, producedHandles: producedHandles)
        } catch {
            console.warning("could not keep the failed command in the script: \(error)")
        }
        return .failure(error)
    }

    // MARK: Modes

    /// The `bench>` prompt: errors print and the prompt returns; Ctrl-D or `exit` leaves.
    public func runInteractive(editor: LineEditor) async -> Int32 {
        self.editor = editor
        console.print("bench \(BenchVersion.current) — type 'help' for commands, Tab to complete, Ctrl-D to leave. Session: \(session.name)")
        while !exitRequested {
            for notice in session.takeNotices() { console.info(notice) }
            switch editor.readLine(prompt: "bench> ") {
            case .endOfInput:
                exitRequested = true
            case .cancelled:
                continue
            case .line(let line):
                editor.addToHistory(line)
                _ = await execute(line, location: nil)
                // SIGTERM or SIGHUP ended the command: the prompt does not come back.
                if interrupts.terminationSignal != nil { exitRequested = true }
            }
        }
        return interrupts.terminationSignal != nil ? interrupts.interruptedStatus : 0
    }

    /// Commands from a stream without a prompt (`bench < file`, a pipe): stop at the first error unless continuing.
    public func runBatch(reader: LineEditor, sourceName: String) async -> Int32 {
        var lineNumber = 0
        var failed = false
        while !exitRequested, case .line(let line) = reader.readLine(prompt: "") {
            lineNumber += 1
            switch await execute(line, location: "\(sourceName):\(lineNumber)") {
            case .success, .empty: continue
            case .interrupted: return interrupts.interruptedStatus
            case .failure:
                failed = true
                if !continueOnError { return 1 }
            }
        }
        return failed ? 1 : 0
    }

    /// `-c` commands (and words after bench's options), each as one line.
    public func runCommands(_ lines: [String]) async -> Int32 {
        var failed = false
        for (index, line) in lines.enumerated() where !exitRequested {
            switch await execute(line, location: "<command>:\(index + 1)") {
            case .success, .empty: continue
            case .interrupted: return interrupts.interruptedStatus
            case .failure:
                failed = true
                if !continueOnError { return 1 }
            }
        }
        return failed ? 1 : 0
    }

    /// Replays a recorded script into this (new) session and compares what can be compared.
    public func replay(_ script: SessionScript) async -> Int32 {
        console.info("replaying \(script.path) (\(script.commands.filter { !$0.skipped }.count) commands) into session \(session.name)")
        for record in script.recipes {
            guard let kind = RecipeKind(rawValue: record.kind) else { continue }
            if let current = try? session.catalog.load(kind, named: record.name), current.sha256 != record.sha256 {
                console.warning("\(record.kind) recipe '\(record.name)' changed since the recording (sha256 \(record.sha256.prefix(12))… then, \(current.sha256.prefix(12))… now)", location: script.path)
            }
        }
        var failed = false
        var mismatches: [String] = []
        var replayed = 0
        for command in script.commands where !exitRequested {
            if command.skipped {
                // Interrupted when recorded: not the same experiment to run again, but its handles are used up.
                for handle in command.expectedHandles.compactMap(Handle.init(parsing:)) { session.handles.skip(past: handle) }
                continue
            }
            let location = "\(script.path):\(command.line)"
            let before = Set(session.handles.entries().map(\.handle))
            let outcome = await execute(command.text, location: location)
            switch outcome {
            case .success, .empty:
                replayed += 1
                let now = session.handles.entries().map(\.handle).filter { !before.contains($0) }.sorted().map(\.description)
                if !command.expectedHandles.isEmpty && now != command.expectedHandles {
                    mismatches.append("\(location): recorded \(command.expectedHandles.joined(separator: " ")), replay got \(now.isEmpty ? "none" : now.joined(separator: " "))")
                }
            case .interrupted:
                return interrupts.interruptedStatus
            case .failure:
                failed = true
                if !continueOnError { return 1 }
            }
        }
        console.info("replayed \(replayed) of \(script.commands.filter { !$0.skipped }.count) commands; new script: \(recorder.isStarted ? session.scriptURL.path : "(nothing recorded)")")
        for mismatch in mismatches { console.warning("handles differ: \(mismatch)") }
        return failed ? 1 : 0
    }
}
