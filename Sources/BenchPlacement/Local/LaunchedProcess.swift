/// A child started by `ProcessLauncher`, identified well enough to find it again later.
///
/// Codable so the session state file can record it; after bench restarts, `pid` alone is not
/// proof of identity (pids are reused), so `startTime` is compared too
/// (`ProcessInspector.isSameProcess`).
public struct LaunchedProcess: Sendable, Codable, Equatable {
    public let pid: Int32
    /// The process group the child leads; equal to `pid` for processes we launch.
    public let processGroup: Int32
    /// Field 22 of `/proc/PID/stat`: clock ticks after boot when the process started.
    public let startTime: UInt64

    public init(pid: Int32, processGroup: Int32, startTime: UInt64) {
        self.pid = pid
        self.processGroup = processGroup
        self.startTime = startTime
    }
}
