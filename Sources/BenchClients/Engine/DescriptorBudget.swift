import Glibc

/// How many connections the process can hold open: each is a file descriptor, and past the limit
/// (`ulimit -n`) connects fail with EMFILE and bench itself can open no file (its state file, the
/// `/proc` entries it watches servers with).
public enum DescriptorBudget {
    /// Descriptors kept for bench's own use: standard streams, event loops, session files, monitors.
    public static let reserve = 256

    /// The process's open-file limit (soft), or nil when it cannot be read.
    public static var limit: Int? {
        var value = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &value) == 0 else { return nil }
        return value.rlim_cur == rlim_t.max ? nil : Int(clamping: value.rlim_cur)  // rlim_t.max: RLIM_INFINITY
    }

    /// Connections and the limit together, as the run planner takes them (nil: no limit known).
    public static var current: (connections: Int, limit: Int)? {
        guard let limit else { return nil }
        return (max(0, limit - reserve), limit)
    }

    /// Raises the soft open-file limit to the hard one, as a load generator needs many connections
    /// and the soft default (often 1024) is a convention, not a resource the user chose to limit.
    public static func raiseSoftLimit() {
        var value = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &value) == 0, value.rlim_cur < value.rlim_max else { return }
        value.rlim_cur = value.rlim_max
        _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &value)
    }
}
