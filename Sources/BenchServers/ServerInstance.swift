import BenchCore
import BenchPlacement
import Foundation

/// One server instance as the manager tracks it and `state.json` records it.
public struct ServerInstance: Sendable, Codable, Equatable {
    public let handle: Handle
    public var alias: String?
    public let recipeName: String
    public let recipeSHA256: String
    public let orchestrator: String
    public var endpoint: Endpoint
    public var runtime: InstanceRuntime
    public var state: ServerState
    public var startedAt: Date
    public var readyAt: Date?
    public let dataDirectory: String
    public let logDirectory: String
    /// The recipe's settings with the `--set` values it was started with, so a restart is the same instance.
    public let settings: [String: String]
    /// The `--port NAME=NUMBER` numbers it was started with (a job keeps these where it lands).
    /// Nil in state files written before they were kept apart, when `settings` held them as `port.NAME`.
    public let fixedPorts: [String: Int]?
    /// The URL of the main port when the service speaks HTTP.
    public var url: String?

    public var stdoutPath: String { logDirectory + "/stdout.log" }
    public var stderrPath: String { logDirectory + "/stderr.log" }
    public var pid: Int32? { runtime.pid }

    /// The `--port` numbers, also from an older state file, which kept them in `settings` as `port.NAME`.
    public var portsGiven: [String: Int] {
        fixedPorts ?? settings.reduce(into: [:]) { ports, entry in
            if entry.key.hasPrefix("port."), let number = Int(entry.value) { ports[String(entry.key.dropFirst(5))] = number }
        }
    }
}
