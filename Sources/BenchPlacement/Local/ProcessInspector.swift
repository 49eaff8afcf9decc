import Glibc

/// Reads what bench needs to know about processes from `/proc`, and reaps its children.
public enum ProcessInspector {
    /// The parsed `/proc/PID/stat`, or nil when there is no such process.
    public static func stat(of pid: Int32) -> ProcessStat? {
        guard pid > 0, let text = ProcFiles.readText("/proc/\(pid)/stat", limit: 4096) else { return nil }
        return ProcessStat(parsing: text)
    }

    /// When `pid` started (clock ticks after boot), or nil when there is no such process.
    public static func startTime(of pid: Int32) -> UInt64? {
        stat(of: pid)?.startTime
    }

    /// True when `pid` is running (not a zombie) and is the process that started at `startTime`,
    /// not a later one that happens to reuse the pid.
    public static func isSameProcess(pid: Int32, startTime: UInt64) -> Bool {
        guard let stat = stat(of: pid) else {
            // Unreadable is not gone: with every descriptor in use (EMFILE) no /proc file opens, and a
            // live server must not be declared dead for that. access() needs no descriptor.
            return pid > 0 && access("/proc/\(pid)/stat", F_OK) == 0
        }
        return !stat.isZombie && stat.startTime == startTime
    }

    /// The living (non-zombie) processes whose process group is `pgid`, in pid order.
    public static func members(ofGroup pgid: Int32) -> [Int32] {
        groupStats(pgid).map(\.pid).sorted()
    }

    /// CPU time, resident memory and process count of the living members of group `pgid`.
    public static func usage(ofGroup pgid: Int32) -> ResourceUsage {
        let ticksPerSecond = Double(max(sysconf(Int32(_SC_CLK_TCK)), 1))
        let pageSize = Int64(sysconf(Int32(_SC_PAGESIZE)))
        var usage = ResourceUsage()
        for stat in groupStats(pgid) {
            usage.cpuSeconds += Double(stat.userTicks + stat.systemTicks) / ticksPerSecond
            usage.rssBytes += stat.residentPages * pageSize
            usage.processCount += 1
        }
        return usage
    }

    /// Collects `pid` if it is our child and has ended; nil while it runs.
    ///
    /// Also nil (not a crash) when `pid` is not our child (`ECHILD`): a server of an earlier bench
    /// found through the state file is watched with `isSameProcess` instead.
    public static func reap(pid: Int32) -> ExitStatus? {
        guard pid > 0 else { return nil }  // waitpid(0 or -1) would reap some other child
        var status: Int32 = 0
        while true {
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid { return ExitStatus(waitStatus: status) }
            if result == -1 && errno == EINTR { continue }
            return nil
        }
    }

    private static func groupStats(_ pgid: Int32) -> [ProcessStat] {
        guard pgid > 0 else { return [] }
        // No index by group exists, so scan every process; a few hundred small reads are cheap.
        return ProcFiles.allPIDs().compactMap { pid in
            guard let stat = stat(of: pid), stat.processGroup == pgid, !stat.isZombie else { return nil }
            return stat
        }
    }
}
