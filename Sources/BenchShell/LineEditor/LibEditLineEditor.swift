import CLibEdit
import Foundation
#if canImport(Glibc)
import Glibc
#endif

// libedit calls key functions and the prompt function through C function pointers, which cannot
// capture context: their state lives in these globals, used only on the main thread while el_gets runs.
nonisolated(unsafe) private var activeCompleter: ((String) -> Completer.Result)?
nonisolated(unsafe) private var promptCString: UnsafeMutablePointer<CChar>? = strdup("bench> ")
nonisolated(unsafe) private var lineWasCancelled = false
/// The line and cursor at the last Tab, so a second Tab on the same text lists the candidates.
nonisolated(unsafe) private var lastTabState: String?

/// The interactive editor: libedit with emacs keys, persistent history, Ctrl-R search and Tab completion.
@MainActor
public final class LibEditLineEditor: LineEditor {
    private let editLine: OpaquePointer
    private let historyHandle: OpaquePointer
    private let historyPath: String?
    public private(set) var history: [String] = []

    /// - Parameters:
    ///   - historyPath: the history file (nil: no file).
    ///   - completer: candidates for the text left of the cursor.
    public init(historyPath: String?, completer: @escaping (String) -> Completer.Result) {
        editLine = bench_el_init("bench")
        historyHandle = bench_history_init(1000)
        self.historyPath = historyPath
        activeCompleter = completer

        bench_el_set_editor(editLine, "emacs")
        bench_el_set_history(editLine, historyHandle)
        bench_el_set_prompt(editLine) { _ in promptCString }
        bench_el_add_function(editLine, "bench-complete", "complete a command, option, recipe or handle") { el, _ in
            benchCompleteKey(el)
        }
        bench_el_add_function(editLine, "bench-cancel", "discard the line being edited") { el, _ in
            lineWasCancelled = true
            bench_write_stdout("^C\n")
            return UInt8(CC_NEWLINE)
        }
        bench_el_bind(editLine, "^I", "bench-complete")
        bench_el_bind(editLine, "^R", "em-inc-search-prev")
        // While editing, Ctrl-C is a key (cancel the line) rather than SIGINT; while a command runs,
        // the terminal is back in its normal mode and Ctrl-C interrupts the command.
        bench_el_settty_edit(editLine, "-isig")
        bench_el_bind(editLine, "^C", "bench-cancel")
        // Users' ~/.editrc still applies, as in other libedit programs.
        el_source(editLine, nil)

        if let historyPath {
            _ = bench_history_load(historyHandle, historyPath)
            var entry = bench_history_oldest(historyHandle)
            while let e = entry {
                history.append(String(cString: e).trimmingCharacters(in: .newlines))
                entry = bench_history_newer(historyHandle)
            }
        }
    }

    public func readLine(prompt: String) -> LineInput {
        free(promptCString)
        promptCString = strdup(prompt)
        lineWasCancelled = false
        lastTabState = nil
        var count: Int32 = 0
        guard let raw = el_gets(editLine, &count) else {
            // EOF (Ctrl-D on an empty line): end the prompt's line so the shell's output starts clean.
            bench_write_stdout("\n")
            return .endOfInput
        }
        if lineWasCancelled {
            return .cancelled
        }
        return .line(String(cString: raw).trimmingCharacters(in: .newlines))
    }

    public func addToHistory(_ line: String) {
        guard !line.trimmingCharacters(in: .whitespaces).isEmpty else { return }
        _ = bench_history_enter(historyHandle, line)
        history.append(line)
        // Saved after every line so a killed shell loses none of it.
        if let historyPath { _ = bench_history_save(historyHandle, historyPath) }
    }

    // el_end restores the terminal; the editor lives as long as the shell, so it runs at exit.
    isolated deinit {
        history_end(historyHandle)
        el_end(editLine)
    }
}

/// Tab: complete the common prefix; with nothing to add, a second Tab lists the candidates.
private func benchCompleteKey(_ el: OpaquePointer?) -> UInt8 {
    guard let el, let info = el_line(el)?.pointee, let completer = activeCompleter else { return UInt8(CC_ERROR) }
    let length = info.cursor - info.buffer
    let before = String(decoding: UnsafeRawBufferPointer(start: info.buffer, count: length), as: UTF8.self)
    let result = completer(before)
    let state = before
    defer { lastTabState = state }

    guard !result.candidates.isEmpty else { return UInt8(CC_REFRESH_BEEP) }
    let prefix = result.commonPrefix
    var insertion = escapeForInsertion(String(prefix.dropFirst(result.current.count)), quote: result.openQuote)
    if result.candidates.count == 1 {
        let word = result.candidates[0]
        if let quote = result.openQuote { insertion.append(quote) }
        if !word.hasSuffix("/") && !word.hasSuffix("=") { insertion.append(" ") }
    }
    if !insertion.isEmpty {
        _ = el_insertstr(el, insertion)
        return UInt8(CC_REFRESH)
    }
    if lastTabState == state {
        listCandidates(result.candidates)
        return UInt8(CC_REDISPLAY)
    }
    return UInt8(CC_REFRESH_BEEP)
}

/// Backslash-escapes characters the tokenizer would otherwise split on (inside quotes nothing is needed).
private func escapeForInsertion(_ text: String, quote: Character?) -> String {
    guard quote == nil else { return text }
    var out = ""
    for c in text {
        if " \t'\"\\#".contains(c) { out.append("\\") }
        out.append(c)
    }
    return out
}

/// Prints candidates in columns below the line, like readline's listing.
private func listCandidates(_ candidates: [String]) {
    var size = winsize()
    let width = ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0 && size.ws_col > 0 ? Int(size.ws_col) : 80
    let cell = (candidates.map(\.count).max() ?? 0) + 2
    let columns = max(1, width / cell)
    let rows = (candidates.count + columns - 1) / columns
    var out = "\n"
    for row in 0..<rows {
        var line = ""
        for column in 0..<columns {
            let i = column * rows + row
            guard i < candidates.count else { continue }
            line += candidates[i].padding(toLength: cell, withPad: " ", startingAt: 0)
        }
        out += line.trimmingCharacters(in: .whitespaces) + "\n"
    }
    bench_write_stdout(out)
}
