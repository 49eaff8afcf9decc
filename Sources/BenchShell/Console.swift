import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Where commands write: stdout for results, stderr for errors and progress; colour only on a terminal.
public final class Console: Sendable {
    /// Whether the terminal shows colour by default (interactive, stdout a terminal, no NO_COLOR, TERM not dumb).
    public let terminalAllowsColor: Bool
    public let isInteractive: Bool
    /// `set color auto|on|off`; batch mode has no colour whatever it says.
    private let colorSetting = Mutex("auto")

    public init(useColor: Bool, isInteractive: Bool) {
        self.terminalAllowsColor = useColor
        self.isInteractive = isInteractive
    }

    /// Whether output is coloured now.
    public var useColor: Bool {
        switch colorSetting.withLock({ $0 }) {
        case "on": isInteractive
        case "off": false
        default: terminalAllowsColor
        }
    }

    /// Follows the session's `color` setting.
    public func applyColorSetting(_ value: String) { colorSetting.withLock { $0 = value } }

    public func print(_ text: String = "") { write(text + "\n") }

    /// Writes without a newline (progress lines). Unbuffered, so output and errors interleave in order.
    public func write(_ text: String) { Console.writeAll(STDOUT_FILENO, text) }

    public func printError(_ text: String) { Console.writeAll(STDERR_FILENO, text + "\n") }

    /// Writes to a descriptor with write(2), ignoring failures. FileHandle.write traps when the
    /// terminal is gone (SIGHUP, a closed pipe), which would end bench before it stops its servers.
    public static func writeAll(_ fd: Int32, _ text: String) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return }
            bytes = bytes.dropFirst(n)
        }
    }

    /// One live status line on the terminal, rewritten in place; nil clears it.
    public func progress(_ line: String?) {
        Console.writeAll(STDERR_FILENO, "\r\u{1B}[K" + (line ?? ""))
    }

    /// Progress and notices: stderr, so stdout stays clean for results in batch mode.
    public func info(_ text: String) { printError(text) }

    public func error(_ message: String, location: String? = nil) {
        let prefix = location.map { "\($0): " } ?? ""
        printError(prefix + styled("error:", .red) + " " + message)
    }

    public func warning(_ message: String, location: String? = nil) {
        let prefix = location.map { "\($0): " } ?? ""
        printError(prefix + styled("warning:", .yellow) + " " + message)
    }

    public enum Style: String { case red = "31", yellow = "33", bold = "1", dim = "2", green = "32" }

    public func styled(_ text: String, _ style: Style) -> String {
        useColor ? "\u{1B}[\(style.rawValue)m\(text)\u{1B}[0m" : text
    }

    /// Prints rows under a header, columns padded to their widest cell.
    public func table(_ header: [String], _ rows: [[String]]) {
        for line in TextTable.render(header: header, rows: rows) { print(line) }
    }
}

/// Plain-text tables for terminal output.
public enum TextTable {
    /// Rows padded to aligned columns; `header` (if any) comes first.
    public static func render(header: [String]?, rows: [[String]]) -> [String] {
        let all = (header.map { [$0] } ?? []) + rows
        let columns = all.map(\.count).max() ?? 0
        var widths = [Int](repeating: 0, count: columns)
        for row in all { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        return all.map { row in
            row.enumerated().map { i, cell in
                i == row.count - 1 ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }
    }
}
