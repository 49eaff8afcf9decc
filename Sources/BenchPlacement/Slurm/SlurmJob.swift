/// A job bench submitted, recorded in `state.json` so a resumed session or `--cleanup` finds it by id.
public struct SlurmJob: Sendable, Codable, Equatable {
    public let id: String
    /// `bench-SESSION-HANDLE`: `--cleanup` finds a session's jobs by this prefix.
    public let name: String
    /// The sbatch script as submitted (in the session folder).
    public let scriptPath: String
    /// Where the job writes its host and ports once it picked them.
    public let discoveryPath: String
    /// The node it runs on, once known.
    public var node: String?

    public init(id: String, name: String, scriptPath: String, discoveryPath: String, node: String? = nil) {
        self.id = id
        self.name = name
        self.scriptPath = scriptPath
        self.discoveryPath = discoveryPath
        self.node = node
    }

    /// The job name prefix of a session's jobs.
    public static func namePrefix(session: String) -> String { "bench-\(session)-" }

    /// The session a `bench-SESSION-HANDLE` job belongs to; nil for other jobs.
    public static func session(fromJobName name: String) -> String? {
        guard name.hasPrefix("bench-"), let dash = name.lastIndex(of: "-") else { return nil }
        let start = name.index(name.startIndex, offsetBy: 6)
        guard start < dash else { return nil }
        return String(name[start..<dash])
    }
}
