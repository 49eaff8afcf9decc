/// What a process group uses now: for `server status`.
public struct ResourceUsage: Sendable, Equatable {
    /// User + system CPU time consumed by the living members so far.
    public var cpuSeconds: Double
    /// Sum of the members' resident set sizes (shared pages are counted once per member).
    public var rssBytes: Int64
    /// Living (non-zombie) members.
    public var processCount: Int

    public init(cpuSeconds: Double = 0, rssBytes: Int64 = 0, processCount: Int = 0) {
        self.cpuSeconds = cpuSeconds
        self.rssBytes = rssBytes
        self.processCount = processCount
    }
}
