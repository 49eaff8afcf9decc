import BenchCore
import BenchClients
import BenchMonitors
import BenchServers

/// What the shell offers commands beyond the session: running scripts, history, leaving.
@MainActor
public protocol ShellControl: AnyObject {
    var registry: CommandRegistry { get }
    /// Runs lines through the same dispatcher (used by `source`); throws at the first failure unless continuing on errors.
    func runLines(_ lines: [String], sourceName: String) async throws
    /// Asks the shell to leave after this command.
    func requestExit()
    /// Asks the shell to leave after this command without stopping the session's servers.
    func requestDetach()
    /// The interactive history, oldest first.
    var historyEntries: [String] { get }
}

/// Everything a running command may use: the session, the console, the shell.
@MainActor
public final class CommandContext {
    public let session: Session
    public let servers: ServerManager
    public let clients: ClientManager
    public let monitors: MonitorManager
    public let console: Console
    public unowned let shell: ShellControl
    /// Handles this command created, written as a trailing comment in the script (`# -> s1 s2`).
    public private(set) var producedHandles: [Handle] = []
    /// Set by commands that record themselves differently (e.g. `source` records the lines it ran).
    public var suppressRecording = false

    /// Set by commands for which Ctrl-C is the normal way to end (`server logs --follow`).
    public var interruptEndsNormally = false

    /// Options resolved while running (a recipe's seed) that the script must carry for a faithful replay.
    public private(set) var resolvedOptions: [(name: String, value: String)] = []

    public func recordResolved(_ name: String, _ value: String) { resolvedOptions.append((name, value)) }

    init(session: Session, servers: ServerManager, clients: ClientManager, monitors: MonitorManager, console: Console, shell: ShellControl) {
        self.session = session
        self.servers = servers
        self.clients = clients
        self.monitors = monitors
        self.console = console
        self.shell = shell
    }

    public func produced(_ handle: Handle) { if !producedHandles.contains(handle) { producedHandles.append(handle) } }

    /// Result lines, shown after the command is recorded (so a crash never shows a result the script lacks).
    public private(set) var output: [String] = []

    public func print(_ text: String = "") { output.append(text) }

    public func table(_ header: [String], _ rows: [[String]]) { output += TextTable.render(header: header, rows: rows) }

    /// Aligned columns without a header (help listings, key/value summaries).
    public func columns(_ rows: [[String]]) { output += TextTable.render(header: nil, rows: rows) }

    func takeOutput() -> [String] {
        defer { output = [] }
        return output
    }
}
