import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension ProcessGroupSignaller {
    /// Stops several process groups at once, blocking the calling thread: SIGTERM to all, then SIGKILL
    /// to whatever is left after `grace`. For signal handlers that must finish before bench exits.
    public static func terminateNow(_ groups: [Int32], grace: Duration) {
        guard !groups.isEmpty else { return }
        for group in groups { _ = signal(group: group, SIGTERM) }
        let deadline = ContinuousClock.now + grace
        while ContinuousClock.now < deadline {
            if groups.allSatisfy({ ProcessInspector.members(ofGroup: $0).isEmpty }) { return }
            usleep(50_000)
        }
        for group in groups { _ = signal(group: group, SIGKILL) }
    }
}
