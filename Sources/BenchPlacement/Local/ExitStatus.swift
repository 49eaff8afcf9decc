/// How a reaped child ended.
public enum ExitStatus: Sendable, Equatable, Codable, CustomStringConvertible {
    /// It called exit with this code (0–255).
    case exited(Int32)
    /// A signal ended it (SIGKILL = 9, …).
    case signaled(Int32)

    /// Decodes a `waitpid` status word; nil for a stopped/continued report (not an ending).
    ///
    /// Swift cannot see the `WIFEXITED`-family macros, so this is their glibc definition.
    public init?(waitStatus status: Int32) {
        let low = status & 0x7f
        if low == 0 {
            self = .exited((status >> 8) & 0xff)
        } else if low != 0x7f {
            self = .signaled(low)
        } else {
            return nil
        }
    }

    /// "exited(1)", "killed(SIGKILL)": the words `server status` shows.
    public var description: String {
        switch self {
        case .exited(let code): return "exited(\(code))"
        case .signaled(let signal): return "killed(\(ExitStatus.signalName(signal)))"
        }
    }

    /// "SIGTERM" for 15; "signal 42" for one without a common name.
    public static func signalName(_ signal: Int32) -> String {
        // Linux x86-64/arm64 numbering.
        let names: [Int32: String] = [
            1: "SIGHUP", 2: "SIGINT", 3: "SIGQUIT", 4: "SIGILL", 5: "SIGTRAP", 6: "SIGABRT",
            7: "SIGBUS", 8: "SIGFPE", 9: "SIGKILL", 10: "SIGUSR1", 11: "SIGSEGV", 12: "SIGUSR2",
            13: "SIGPIPE", 14: "SIGALRM", 15: "SIGTERM", 24: "SIGXCPU", 25: "SIGXFSZ", 31: "SIGSYS",
        ]
        return names[signal] ?? "signal \(signal)"
    }

    // A flat, readable JSON form for the session state file: {"exited": 1} / {"signaled": 9}.
    private enum CodingKeys: String, CodingKey { case exited, signaled }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if let code = try container.decodeIfPresent(Int32.self, forKey: .exited) {
            self = .exited(code)
        } else if let signal = try container.decodeIfPresent(Int32.self, forKey: .signaled) {
            self = .signaled(signal)
        } else {
            throw DecodingError.dataCorrupted(.init(
                codingPath: decoder.codingPath, debugDescription: "expected 'exited' or 'signaled'"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .exited(let code): try container.encode(code, forKey: .exited)
        case .signaled(let signal): try container.encode(signal, forKey: .signaled)
        }
    }
}
