/// What reading one line can give.
public enum LineInput: Equatable, Sendable {
    case line(String)
    /// Ctrl-C on the line being edited: discard it and prompt again.
    case cancelled
    /// Ctrl-D on an empty line, or the end of the input.
    case endOfInput
}

/// The seam between the shell and the keyboard (libedit) or a plain stream (stdin in batch jobs).
@MainActor
public protocol LineEditor: AnyObject {
    /// Reads one line, showing `prompt` where the reader has a terminal.
    func readLine(prompt: String) -> LineInput
    /// Adds a line to the history (and its file, if any).
    func addToHistory(_ line: String)
    /// History entries, oldest first.
    var history: [String] { get }
}

/// Reads lines from standard input with no prompt, escape codes or history: batch mode.
@MainActor
public final class PlainLineReader: LineEditor {
    public init() {}

    public func readLine(prompt: String) -> LineInput {
        guard let line = Swift.readLine(strippingNewline: true) else { return .endOfInput }
        return .line(line)
    }

    public func addToHistory(_ line: String) {}
    public var history: [String] { [] }
}
