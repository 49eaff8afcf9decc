import BenchCore
import BenchPlacement
import Foundation

/// `sessions/NAME/state.json`: what a session left running, so `--cleanup` and `--attach` can find it.
///
/// Written atomically after every change; it is the only record if bench is killed with SIGKILL.
public struct SessionStateFile: Sendable, Codable {
    public static let schema = "bench.state/1"

    public var schema = SessionStateFile.schema
    public var session: String
    /// The bench process that owns the session, with its start time to tell it from a reused pid.
    public var ownerPid: Int32
    public var ownerStartTime: UInt64?
    /// True after `detach`: the servers are meant to outlive bench.
    public var detached: Bool
    public var updatedAt: Date
    public var handleCounters: [String: Int]
    public var handles: [HandleTable.Entry]
    public var servers: [ServerInstance]
    /// Other processes the session runs beside its servers (a monitor's Prometheus and node_exporter),
    /// by the handle they belong to, so cleanup finds them too.
    public var auxiliary: [String: [LaunchedProcess]]?
    /// True once the session submitted a SLURM job, so cleanup asks the queue for `bench-SESSION-` jobs.
    public var usedSlurm: Bool?

    public static func url(for session: Session) -> URL { session.directory.appendingPathComponent("state.json") }

    public static func load(_ url: URL) throws -> SessionStateFile {
        let data = try Data(contentsOf: url)
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        do {
            return try decoder.decode(SessionStateFile.self, from: data)
        } catch {
            throw BenchError("\(url.path): not a bench state file (\(error))")
        }
    }

    public func write(to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        try FileWriting.writeAtomically(try encoder.encode(self), to: url)
    }

    /// Servers whose processes may still be running.
    public var liveServers: [ServerInstance] { servers.filter { $0.state.isLive } }

    /// Whether the bench that wrote this file still runs.
    public var ownerIsAlive: Bool {
        guard let ownerStartTime else { return kill(ownerPid, 0) == 0 }
        return ProcessInspector.isSameProcess(pid: ownerPid, startTime: ownerStartTime)
    }
}
