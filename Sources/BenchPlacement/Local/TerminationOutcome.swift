/// What `ProcessGroupSignaller.terminate` had to do to end a process group.
public struct TerminationOutcome: Sendable, Equatable {
    /// SIGTERM was not enough within the grace period, so the group got SIGKILL.
    public let neededKill: Bool
    /// How the leader ended, when it was our child and got reaped; nil otherwise.
    public let leaderStatus: ExitStatus?
    /// Members still alive at the end (normally empty; a process stuck in uninterruptible
    /// I/O can survive SIGKILL for a while).
    public let remaining: [Int32]

    public init(neededKill: Bool, leaderStatus: ExitStatus?, remaining: [Int32] = []) {
        self.neededKill = neededKill
        self.leaderStatus = leaderStatus
        self.remaining = remaining
    }

    /// True when nothing of the group is left.
    public var isGone: Bool { remaining.isEmpty }
}
