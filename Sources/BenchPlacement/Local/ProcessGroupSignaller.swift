import Glibc

/// Signals and stops whole process groups: a server and everything it forked.
public enum ProcessGroupSignaller {
    /// Sends `signal` to every process of group `pgid`; false when the group no longer exists.
    ///
    /// Refuses groups 0 and 1: `kill(0)` would hit bench's own group and `kill(-1)` every process
    /// we may signal, so a corrupt state file must never get that far.
    @discardableResult
    public static func signal(group pgid: Int32, _ signal: Int32) -> Bool {
        guard pgid > 1 else { return false }
        if kill(-pgid, signal) == 0 { return true }
        return errno != ESRCH  // EPERM: it exists but is not ours to signal
    }

    /// SIGTERM to the group, then SIGKILL if any member is still alive after `grace`; returns
    /// once no member is left (or about 2 s after SIGKILL).
    ///
    /// `leader`, when given and our child, is reaped while waiting so it does not linger as a
    /// zombie (a zombie leader keeps the pgid from being reused, but is not a living member).
    /// Finishes even if the calling task is cancelled: stopping must not leave orphans.
    public static func terminate(group pgid: Int32, leader: Int32?, grace: Duration) async -> TerminationOutcome {
        var leaderStatus: ExitStatus?
        func reapLeader() {
            if let leader, leaderStatus == nil { leaderStatus = ProcessInspector.reap(pid: leader) }
        }
        /// Polls until the group is empty or `deadline`; true when it emptied.
        func waitForEmptyGroup(until deadline: ContinuousClock.Instant) async -> Bool {
            while true {
                reapLeader()
                if ProcessInspector.members(ofGroup: pgid).isEmpty {
                    reapLeader()  // the leader may have turned zombie just before the scan
                    return true
                }
                if ContinuousClock.now >= deadline { return false }
                await pause(milliseconds: 50)
            }
        }

        signal(group: pgid, SIGTERM)
        // A stopped process (Ctrl-Z'd, or traced) would hold SIGTERM pending forever.
        signal(group: pgid, SIGCONT)
        if await waitForEmptyGroup(until: ContinuousClock.now.advanced(by: grace)) {
            return TerminationOutcome(neededKill: false, leaderStatus: leaderStatus)
        }
        signal(group: pgid, SIGKILL)
        _ = await waitForEmptyGroup(until: ContinuousClock.now.advanced(by: .seconds(2)))
        return TerminationOutcome(neededKill: true, leaderStatus: leaderStatus,
                                  remaining: ProcessInspector.members(ofGroup: pgid))
    }

    /// Sleeps without giving up when the task is cancelled (Task.sleep would return at once and
    /// turn the poll into a busy loop); a short blocking sleep is acceptable in that rare case.
    static func pause(milliseconds: Int) async {
        do {
            try await Task.sleep(for: .milliseconds(milliseconds))
        } catch {
            usleep(UInt32(milliseconds) * 1000)
        }
    }
}
