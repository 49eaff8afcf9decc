import BenchCore
import Foundation

/// Shell built-ins: `set`, `echo`, `sleep`, `source`, `history`, `exit`.
enum BuiltinCommands {
    static let all: [CommandSpec] = [set, echo, sleep, source, history, exit]

    /// `set`'s arguments: `set KEY VALUE` or `set KEY=VALUE`.
    private enum Setting {
        static let key: ArgumentKey<String?> = .optional("KEY", "a setting name, or KEY=VALUE", completion: .settings)
        static let value: ArgumentKey<String?> = .optional("VALUE", "the new value", completion: .none)
    }

    static let set = CommandSpec(
        ["set"], area: .shell, abstract: "Show the settings, or change one",
        discussion: SessionSettings.keys.map { "  \($0.name) (\($0.values.joined(separator: "|")), default \($0.defaultValue)): \($0.help)" }.joined(separator: "\n"),
        arguments: [Setting.key.spec, Setting.value.spec],
        examples: ["set", "set timing on", "set orchestrator=slurm"], recording: .always
    ) { invocation, context in
        guard var key = invocation[Setting.key] else {
            context.suppressRecording = true
            let settings = context.session.settings
            context.table(["SETTING", "VALUE", "VALUES"], SessionSettings.keys.map { [$0.name, settings[$0.name] ?? "", $0.values.joined(separator: "|")] })
            return
        }
        var value = invocation[Setting.value]
        if value == nil, let eq = key.firstIndex(of: "=") {
            value = String(key[key.index(after: eq)...])
            key = String(key[..<eq])
        }
        guard let value else {
            context.suppressRecording = true
            guard let current = context.session.settings[key] else {
                try context.session.set(key, to: "")  // throws the unknown-setting error with suggestions
                return
            }
            context.print("\(key) = \(current)")
            return
        }
        try context.session.set(key, to: value)
        if key == "color" { context.console.applyColorSetting(value) }
    }

    private static let echoWords: ArgumentKey<[String]> = .zeroOrMore("WORD", "words to print")

    static let echo = CommandSpec(
        ["echo"], area: .shell, abstract: "Print the words given (useful in scripts to label output)",
        arguments: [echoWords.spec],
        examples: ["echo 'warming up the cache'"], recording: .always
    ) { invocation, context in
        context.print(invocation[echoWords].joined(separator: " "))
    }

    private static let sleepDuration: ArgumentKey<BenchDuration> = .duration("DURATION", "how long: \(BenchDuration.acceptedForms)")

    static let sleep = CommandSpec(
        ["sleep"], area: .shell, abstract: "Wait for a duration (Ctrl-C stops waiting)",
        arguments: [sleepDuration.spec],
        examples: ["sleep 5s", "sleep 500ms"], recording: .always
    ) { invocation, context in
        let duration = invocation[sleepDuration]
        try await Task.sleep(for: .milliseconds(Int64((duration.seconds * 1000).rounded())))
    }

    private static let sourceFile: ArgumentKey<String> = .one("FILE", "a file of bench commands", type: .path, completion: .files)

    static let source = CommandSpec(
        ["source"], area: .shell, abstract: "Run the commands in a file, as if typed",
        discussion: "Errors name FILE:LINE. Each command the file runs is recorded on its own, so the session script does not depend on the file.",
        arguments: [sourceFile.spec],
        examples: ["source examples/quickstart.bench"], recording: .always
    ) { invocation, context in
        // The lines are recorded one by one as they run; recording `source` too would run them twice on replay.
        context.suppressRecording = true
        let path = invocation[sourceFile]
        let expanded = NSString(string: path).expandingTildeInPath
        guard let data = FileManager.default.contents(atPath: expanded), let text = String(data: data, encoding: .utf8) else {
            throw BenchError("source: cannot read '\(path)' (no such file, not readable, or not UTF-8 text)")
        }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        try await context.shell.runLines(lines, sourceName: path)
    }

    private static let historyCount: ArgumentKey<Int?> = .integer("COUNT", "show only the last COUNT lines", min: 1)

    static let history = CommandSpec(
        ["history"], area: .shell, abstract: "Show the lines typed at the prompt (Up/Down and Ctrl-R search them)",
        discussion: "History persists in ~/.bench_history (or $BENCH_HISTORY); batch runs do not write it.",
        arguments: [historyCount.spec],
        examples: ["history", "history 20"]
    ) { invocation, context in
        let entries = context.shell.historyEntries
        let count = invocation[historyCount] ?? entries.count
        let start = max(0, entries.count - count)
        for (index, line) in entries.enumerated().dropFirst(start) {
            context.print(String(format: "%5d  ", index + 1) + line)
        }
    }

    static let exit = CommandSpec(
        ["exit"], area: .shell, abstract: "Leave bench (Ctrl-D does the same)", aliases: ["quit"]
    ) { _, context in
        context.shell.requestExit()
    }
}
