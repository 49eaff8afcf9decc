import BenchCore
import Foundation

/// Shell built-ins: `set`, `echo`, `sleep`, `source`, `history`, `exit`.
enum BuiltinCommands {
    static let all: [CommandSpec] = [set, echo, sleep, source, history, exit]

    static let set = CommandSpec(
        ["set"], area: .shell, abstract: "Show the settings, or change one",
        discussion: SessionSettings.keys.map { "  \($0.name) (\($0.values.joined(separator: "|")), default \($0.defaultValue)): \($0.help)" }.joined(separator: "\n"),
        arguments: [
            ArgumentSpec("KEY", "a setting name, or KEY=VALUE", arity: .optional, completion: .settings),
            ArgumentSpec("VALUE", "the new value", arity: .optional, completion: .none),
        ],
        examples: ["set", "set timing on", "set orchestrator=slurm"], recording: .always
    ) { invocation, context in
        guard var key = invocation.argument("KEY") else {
            context.suppressRecording = true
            let settings = context.session.settings
            context.table(["SETTING", "VALUE", "VALUES"], SessionSettings.keys.map { [$0.name, settings[$0.name] ?? "", $0.values.joined(separator: "|")] })
            return
        }
        var value = invocation.argument("VALUE")
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
    }

    static let echo = CommandSpec(
        ["echo"], area: .shell, abstract: "Print the words given (useful in scripts to label output)",
        arguments: [ArgumentSpec("WORD", "words to print", arity: .zeroOrMore)],
        examples: ["echo 'warming up the cache'"], recording: .always
    ) { invocation, context in
        context.print(invocation.argumentList("WORD").joined(separator: " "))
    }

    static let sleep = CommandSpec(
        ["sleep"], area: .shell, abstract: "Wait for a duration (Ctrl-C stops waiting)",
        arguments: [ArgumentSpec("DURATION", "how long: \(BenchDuration.acceptedForms)", type: .duration)],
        examples: ["sleep 5s", "sleep 500ms"], recording: .always
    ) { invocation, context in
        let duration = BenchDuration(parsing: invocation.argument("DURATION")!)!
        try await Task.sleep(for: .milliseconds(Int64((duration.seconds * 1000).rounded())))
    }

    static let source = CommandSpec(
        ["source"], area: .shell, abstract: "Run the commands in a file, as if typed",
        discussion: "Errors name FILE:LINE. Each command the file runs is recorded on its own, so the session script does not depend on the file.",
        arguments: [ArgumentSpec("FILE", "a file of bench commands", type: .path, completion: .files)],
        examples: ["source examples/quickstart.bench"], recording: .always
    ) { invocation, context in
        // The lines are recorded one by one as they run; recording `source` too would run them twice on replay.
        context.suppressRecording = true
        let path = invocation.argument("FILE")!
        let expanded = NSString(string: path).expandingTildeInPath
        guard let data = FileManager.default.contents(atPath: expanded), let text = String(data: data, encoding: .utf8) else {
            throw BenchError("source: cannot read '\(path)' (no such file, not readable, or not UTF-8 text)")
        }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        try await context.shell.runLines(lines, sourceName: path)
    }

    static let history = CommandSpec(
        ["history"], area: .shell, abstract: "Show the lines typed at the prompt (Up/Down and Ctrl-R search them)",
        discussion: "History persists in ~/.bench_history (or $BENCH_HISTORY); batch runs do not write it.",
        arguments: [ArgumentSpec("COUNT", "show only the last COUNT lines", arity: .optional, type: .integer(min: 1))],
        examples: ["history", "history 20"]
    ) { invocation, context in
        let entries = context.shell.historyEntries
        let count = invocation.argument("COUNT").flatMap { Int($0) } ?? entries.count
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
