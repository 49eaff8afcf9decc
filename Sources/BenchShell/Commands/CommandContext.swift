import BenchCore

/// What the shell offers commands beyond the session: running scripts, history, leaving.
@MainActor
public protocol ShellControl: AnyObject {
    var registry: CommandRegistry { get }
    /// Runs lines through the same dispatcher (used by `source`); throws at the first failure unless continuing on errors.
    func runLines(_ lines: [String], sourceName: String) async throws
    /// Asks the shell to leave after this command.
    func requestExit()
    /// The interactive history, oldest first.
    var historyEntries: [String] { get }
}

/// Everything a running command may use: the session, the console, the shell.
@MainActor
public final class CommandContext {
    public let session: Session
    public let console: Console
    public unowned let shell: ShellControl
    /// Handles this command created, written as a trailing comment in the script (`# -> s1 s2`).
    public private(set) var producedHandles: [Handle] = []
    /// Set by commands that record themselves differently (e.g. `source` records the lines it ran).
    public var suppressRecording = false

    init(session: Session, console: Console, shell: ShellControl) {
        self.session = session
        self.console = console
        self.shell = shell
    }

    public func produced(_ handle: Handle) { producedHandles.append(handle) }

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
