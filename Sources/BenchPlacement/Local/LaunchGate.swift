import Glibc
import Synchronization

/// Holds a launched server at the door until bench has listed it in `state.json`.
///
/// Between `posix_spawn` and the state write a SIGKILLed bench would leave a process nothing lists:
/// `--cleanup` could never find it. A gated child first runs a tiny `/bin/sh` that waits for one
/// line on descriptor 3, a pipe whose write end only bench holds, and only then `exec`s the real
/// program (same pid, same start time, so its identity in `state.json` holds). If bench dies before
/// opening the gate, the pipe reads end-of-file and the child exits without starting anything.
public enum LaunchGate {
    /// The shell body of the gate: the real argv follows as `"$@"`; descriptor 3 is closed for it.
    static let script = #"read -r go <&3 && [ "$go" = go ] && exec "$@" 3<&-"#

    /// Write ends of the pipes of children still waiting, by pid.
    private static let waiting = Mutex<[Int32: Int32]>([:])

    static func hold(pid: Int32, writeEnd: Int32) {
        waiting.withLock { $0[pid] = writeEnd }
    }

    /// Lets the children start: call once they are listed in `state.json`. Unknown pids are ignored.
    public static func open(_ pids: [Int32]) {
        for pid in pids {
            guard let fd = waiting.withLock({ $0.removeValue(forKey: pid) }) else { continue }
            _ = "go\n".withCString { write(fd, $0, 3) }
            close(fd)
        }
    }

    /// Gives up on a child that will not be started (its start failed): it reads end-of-file and exits.
    public static func discard(_ pids: [Int32]) {
        for pid in pids {
            guard let fd = waiting.withLock({ $0.removeValue(forKey: pid) }) else { continue }
            close(fd)
        }
    }
}
