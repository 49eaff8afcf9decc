import Dispatch
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Turns SIGINT into cancelling the running command, and SIGTERM/SIGHUP into an orderly exit.
///
/// Signals arrive on a dispatch queue, not in a C handler, so the reactions may do real work.
/// SIGTERM or SIGHUP during a command ends the command as Ctrl-C would (its script line kept as
/// `# interrupted:`, a run's result written) and then bench itself, stopping its servers the usual
/// way. With no command running, or a second signal, or a command that does not end within
/// `terminationGrace`, `stopEverything` stops everything at once and exits.
public final class InterruptMonitor: Sendable {
    private struct State {
        var running: (@Sendable () -> Void)?
        var interruptedCommand = false
        /// SIGTERM or SIGHUP, once one arrived: bench is leaving.
        var terminating: Int32?
    }
    private let state = Mutex(State())
    /// Held by whoever exits: the signal queue's immediate exit and the orderly end never both run exit().
    private let leaving = NSLock()
    private let queue = DispatchQueue(label: "bench.signals")
    // Written once by `install`, before any signal can arrive; kept only so the sources stay alive.
    nonisolated(unsafe) private var sources: [DispatchSourceSignal] = []
    /// Whether SIGINT with no command running ends bench (batch: yes, with 130; interactive: no, the line is discarded).
    private let idleInterruptLeaves: Bool
    /// Stops everything at once (the signal number given); bench exits with 128 + signal after it.
    private let stopEverything: @Sendable (Int32) -> Void
    /// How long a command has to end after SIGTERM/SIGHUP before everything is stopped at once.
    private let terminationGrace: TimeInterval

    public init(terminationGrace: TimeInterval = 10, idleInterruptLeaves: Bool, stopEverything: @escaping @Sendable (Int32) -> Void) {
        self.terminationGrace = terminationGrace
        self.idleInterruptLeaves = idleInterruptLeaves
        self.stopEverything = stopEverything
    }

    /// Starts listening. The default actions are replaced, so children must reset them (the process launcher does).
    public func install() {
        // A closed pipe (`bench … | head`) must not kill bench with its servers still running:
        // writes then fail with EPIPE, which Console ignores.
        signal(SIGPIPE, SIG_IGN)
        for signo in [SIGINT, SIGTERM, SIGHUP] {
            signal(signo, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signo, queue: queue)
            source.setEventHandler { [weak self] in self?.handle(signo) }
            source.resume()
            sources.append(source)
        }
    }

    private func handle(_ signo: Int32) {
        if signo != SIGINT {
            let (cancel, first) = state.withLock { s -> ((@Sendable () -> Void)?, Bool) in
                guard s.terminating == nil else { return (nil, false) }
                s.terminating = signo
                if s.running != nil { s.interruptedCommand = true }
                return (s.running, true)
            }
            guard first, let cancel else {
                // Nothing running (bench waits for input), or a second signal: no reason to wait.
                exitNow(signo)
                return
            }
            cancel()
            queue.asyncAfter(deadline: .now() + terminationGrace) { [self] in
                exitNow(signo)
            }
            return
        }
        let cancel: (@Sendable () -> Void)? = state.withLock { s in
            if s.running != nil { s.interruptedCommand = true }
            return s.running
        }
        if let cancel {
            cancel()
        } else if idleInterruptLeaves {
            // Ctrl-C while a batch waits for input: leave like an interrupted command.
            exitNow(signo)
        }
    }

    /// Stops everything at once and exits with 128 + `signo`; the orderly end, if it is exiting already, wins.
    private func exitNow(_ signo: Int32) {
        leaving.lock()
        stopEverything(signo)
        exit(128 + signo)
    }

    /// SIGTERM or SIGHUP, once one arrived.
    public var terminationSignal: Int32? { state.withLock { $0.terminating } }

    /// The exit status of an interrupted command: 130 for Ctrl-C, 128 + the signal for SIGTERM/SIGHUP.
    public var interruptedStatus: Int32 { terminationSignal.map { 128 + $0 } ?? 130 }

    /// Marks a command as running; Ctrl-C calls `cancel`.
    public func beginCommand(cancel: @escaping @Sendable () -> Void) {
        state.withLock { s in
            s.running = cancel
            s.interruptedCommand = false
        }
    }

    /// Ends the running command; true if Ctrl-C (or SIGTERM/SIGHUP) came while it ran.
    public func endCommand() -> Bool {
        state.withLock { s in
            defer {
                s.running = nil
                s.interruptedCommand = false
            }
            return s.interruptedCommand
        }
    }

    /// The orderly end: waits out an immediate exit already under way (which then ends the process)
    /// and returns the status to exit with, 128 + the signal if SIGTERM or SIGHUP came.
    public func finalStatus(_ status: Int32) -> Int32 {
        leaving.lock()
        return terminationSignal.map { 128 + $0 } ?? status
    }
}
