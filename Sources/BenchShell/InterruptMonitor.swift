import Dispatch
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Turns SIGINT into cancelling the running command, and SIGTERM/SIGHUP into an orderly exit.
///
/// Signals arrive on a dispatch queue, not in a C handler, so the reactions may do real work.
public final class InterruptMonitor: Sendable {
    private struct State {
        var running: (@Sendable () -> Void)?
        var interruptedCommand = false
    }
    private let state = Mutex(State())
    private let queue = DispatchQueue(label: "bench.signals")
    // Written once by `install`, before any signal can arrive; kept only so the sources stay alive.
    nonisolated(unsafe) private var sources: [DispatchSourceSignal] = []
    /// Called on SIGINT when no command runs (batch mode: leave with 130; interactive: nothing).
    private let idleInterrupt: @Sendable () -> Void
    /// Called on SIGTERM and SIGHUP with the signal number.
    private let terminate: @Sendable (Int32) -> Void

    public init(idleInterrupt: @escaping @Sendable () -> Void, terminate: @escaping @Sendable (Int32) -> Void) {
        self.idleInterrupt = idleInterrupt
        self.terminate = terminate
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
            terminate(signo)
            return
        }
        let cancel: (@Sendable () -> Void)? = state.withLock { s in
            if s.running != nil { s.interruptedCommand = true }
            return s.running
        }
        if let cancel { cancel() } else { idleInterrupt() }
    }

    /// Marks a command as running; Ctrl-C calls `cancel`.
    public func beginCommand(cancel: @escaping @Sendable () -> Void) {
        state.withLock { $0 = State(running: cancel, interruptedCommand: false) }
    }

    /// Ends the running command; true if Ctrl-C was pressed while it ran.
    public func endCommand() -> Bool {
        state.withLock { s in
            defer { s = State() }
            return s.interruptedCommand
        }
    }
}
