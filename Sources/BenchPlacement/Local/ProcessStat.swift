/// The fields bench uses from one `/proc/PID/stat` line (see proc(5)).
public struct ProcessStat: Sendable, Equatable {
    public let pid: Int32
    /// The executable name (at most 15 bytes); may contain spaces and parentheses.
    public let command: String
    /// One letter: R running, S sleeping, D disk wait, Z zombie, T stopped, X dead, …
    public let state: Character
    public let parentPID: Int32
    public let processGroup: Int32
    /// User and system CPU time, in clock ticks (`sysconf(_SC_CLK_TCK)` per second).
    public let userTicks: UInt64
    public let systemTicks: UInt64
    /// Clock ticks after boot when the process started (field 22).
    public let startTime: UInt64
    /// Resident set size in pages (field 24).
    public let residentPages: Int64

    /// A zombie (or dead) process has exited and only waits to be reaped; it is not running.
    public var isZombie: Bool { state == "Z" || state == "X" }

    public init(pid: Int32, command: String, state: Character, parentPID: Int32, processGroup: Int32,
                userTicks: UInt64, systemTicks: UInt64, startTime: UInt64, residentPages: Int64) {
        self.pid = pid
        self.command = command
        self.state = state
        self.parentPID = parentPID
        self.processGroup = processGroup
        self.userTicks = userTicks
        self.systemTicks = systemTicks
        self.startTime = startTime
        self.residentPages = residentPages
    }

    /// Parses a stat line; nil when it is malformed.
    ///
    /// The command sits in parentheses and may itself contain `) (` and spaces (a process can
    /// name itself anything), so the fields are split after the LAST `)`, never by plain spaces.
    public init?(parsing line: String) {
        let bytes = Array(line.utf8)
        guard let open = bytes.firstIndex(of: UInt8(ascii: "(")),
              let close = bytes.lastIndex(of: UInt8(ascii: ")")), open < close,
              let pid = Int32(String(decoding: bytes[..<open], as: UTF8.self)
                  .trimmingCharacters(in: " "))
        else { return nil }
        // Field 3 (state) is the first after the ")"; field N is at index N - 3 of `rest`.
        let rest = bytes[(close + 1)...].split(separator: UInt8(ascii: " "), omittingEmptySubsequences: true)
            .map { String(decoding: $0, as: UTF8.self) }
        guard rest.count >= 22, let state = rest[0].first, rest[0].count == 1,
              let parent = Int32(rest[1]), let group = Int32(rest[2]),
              let user = UInt64(rest[11]), let system = UInt64(rest[12]),
              let start = UInt64(rest[19]), let rss = Int64(rest[21].trimmingCharacters(in: "\n"))
        else { return nil }
        self.init(pid: pid, command: String(decoding: bytes[(open + 1)..<close], as: UTF8.self),
                  state: state, parentPID: parent, processGroup: group, userTicks: user,
                  systemTicks: system, startTime: start, residentPages: rss)
    }
}

private extension String {
    /// Foundation-free trim of the given characters at both ends.
    func trimmingCharacters(in set: Character) -> String {
        var slice = Substring(self)
        while slice.first == set { slice.removeFirst() }
        while slice.last == set { slice.removeLast() }
        return String(slice)
    }
}
