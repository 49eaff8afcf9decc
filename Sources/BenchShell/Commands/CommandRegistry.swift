import BenchCore

/// The one table of commands: dispatch, help, completion and recording all look commands up here.
public struct CommandRegistry: Sendable {
    public private(set) var commands: [CommandSpec] = []

    public init(_ commands: [CommandSpec] = []) {
        for command in commands { register(command) }
    }

    public mutating func register(_ command: CommandSpec) {
        precondition(!commands.contains { $0.path == command.path }, "command \(command.name) registered twice")
        commands.append(command)
    }

    /// First words: top-level commands and group names (`server`, `help`, …), sorted.
    public var topLevelWords: [String] {
        Array(Set(commands.flatMap { [$0.path[0]] + ($0.path.count == 1 ? $0.aliases : []) })).sorted()
    }

    /// Subcommand words under a group (`server` -> list, info, …).
    public func subcommands(of group: String) -> [String] {
        commands.filter { $0.path.count == 2 && $0.path[0] == group }.map { $0.path[1] }.sorted()
    }

    public func isGroup(_ word: String) -> Bool { commands.contains { $0.path.count > 1 && $0.path[0] == word } }

    public func command(_ path: [String]) -> CommandSpec? {
        commands.first { $0.path == path } ?? (path.count == 1 ? commands.first { $0.path.count == 1 && $0.aliases.contains(path[0]) } : nil)
    }

    /// Finds the command the words name and returns it with the remaining words, or explains what is valid.
    public func resolve(_ words: [String]) throws -> (CommandSpec, ArraySlice<String>) {
        guard let first = words.first else { throw BenchError.usage("empty command") }
        if let single = command([first]), !isGroup(first) { return (single, words.dropFirst()) }
        guard isGroup(first) else {
            throw BenchError.usage("unknown command '\(first)'\(Suggestions.didYouMean(first, in: topLevelWords)) (try 'help')")
        }
        let subs = subcommands(of: first)
        guard words.count > 1 else {
            throw BenchError.usage("'\(first)' needs a subcommand: \(subs.joined(separator: ", ")) (see 'help \(first)')")
        }
        let second = words[1]
        guard let spec = command([first, second]) else {
            let hint = Suggestions.nearest(to: second, in: subs).first.map { "; did you mean '\(first) \($0)'?" } ?? ""
            throw BenchError.usage("unknown subcommand '\(first) \(second)'\(hint) (valid: \(subs.joined(separator: ", ")))")
        }
        return (spec, words.dropFirst(2))
    }

    /// Parses a whole command line into an invocation.
    public func parse(_ words: [String]) throws -> Invocation {
        let (spec, rest) = try resolve(words)
        return try InvocationParser.parse(Array(rest), for: spec)
    }
}
