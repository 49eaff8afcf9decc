import BenchCore
import Foundation

/// Tab-completion candidates for a line, computed from the command declarations alone.
public struct Completer {
    /// The candidates for the word under the cursor.
    public struct Result: Equatable, Sendable {
        /// The word being completed, as typed so far (unquoted).
        public var current: String
        /// Full replacement words for `current`, sorted.
        public var candidates: [String]
        /// The quote the word is open in, to close on a unique match.
        public var openQuote: Character?

        /// The longest text every candidate starts with.
        public var commonPrefix: String {
            guard var prefix = candidates.first else { return current }
            for c in candidates.dropFirst() {
                while !c.hasPrefix(prefix) { prefix.removeLast() }
            }
            return prefix
        }
    }

    public let registry: CommandRegistry
    /// Dynamic values: recipe names, live handles, settings.
    public let values: (CompletionSource) -> [String]

    public init(registry: CommandRegistry, values: @escaping (CompletionSource) -> [String]) {
        self.registry = registry
        self.values = values
    }

    public func complete(_ lineUpToCursor: String) -> Result {
        let partial = ShellTokenizer.partial(lineUpToCursor)
        let current = partial.current
        func result(_ all: [String]) -> Result {
            Result(current: current, candidates: Array(Set(all.filter { $0.hasPrefix(current) })).sorted(), openQuote: partial.openQuote)
        }
        let words = partial.words
        guard let first = words.first else { return result(registry.topLevelWords) }
        if first == "help" {
            if words.count == 1 { return result(registry.topLevelWords + ["metrics"]) }
            if words.count == 2, registry.isGroup(words[1]) { return result(registry.subcommands(of: words[1])) }
            return result([])
        }
        if registry.isGroup(first) && words.count == 1 { return result(registry.subcommands(of: first)) }
        guard let (spec, rest) = try? registry.resolve(words) else { return result([]) }
        let restWords = Array(rest)

        // `--option=value` completes the value after the '='.
        if current.hasPrefix("--"), let eq = current.firstIndex(of: "=") {
            let name = String(current[current.index(current.startIndex, offsetBy: 2)..<eq])
            guard let option = spec.option(named: name) else { return result([]) }
            let head = String(current[...eq])
            return result(candidates(option.completion, type: option.type, current: current).map { head + $0 })
        }
        if current.hasPrefix("-") {
            let used = Set(restWords.filter { $0.hasPrefix("--") }.map { String($0.dropFirst(2).prefix { $0 != "=" }) })
            return result(spec.options.filter { $0.repeatable || !used.contains($0.name) }.map { "--\($0.name)" })
        }
        // The value of an option just before the cursor.
        if let last = restWords.last, last.hasPrefix("-"), !last.contains("="),
           let option = last.hasPrefix("--") ? spec.option(named: String(last.dropFirst(2))) : (last.count == 2 ? spec.option(short: last.last!) : nil),
           !option.isFlag {
            return result(candidates(option.completion, type: option.type, current: current))
        }
        // Otherwise the next positional argument.
        let index = positionalCount(restWords, spec: spec)
        guard let argument = argument(at: index, of: spec) else { return result([]) }
        return result(candidates(argument.completion, type: argument.type, current: current))
    }

    private func candidates(_ source: CompletionSource, type: ValueType, current: String) -> [String] {
        if case .choice(let values) = type, source == .none { return values }
        switch source {
        case .files: return Completer.files(matching: current)
        default: return values(source)
        }
    }

    /// Paths starting with `prefix`; folders end in `/` so completion can go on into them.
    static func files(matching prefix: String) -> [String] {
        let fm = FileManager.default
        let slash = prefix.lastIndex(of: "/")
        let folder = slash.map { String(prefix[...$0]) } ?? ""
        let listed = folder.isEmpty ? "." : (folder.hasPrefix("~") ? NSString(string: folder).expandingTildeInPath : folder)
        guard let names = try? fm.contentsOfDirectory(atPath: listed) else { return [] }
        let namePrefix = slash.map { String(prefix[prefix.index(after: $0)...]) } ?? prefix
        return names.filter { $0.hasPrefix(namePrefix) && (!$0.hasPrefix(".") || namePrefix.hasPrefix(".")) }.map { name in
            var isDirectory: ObjCBool = false
            _ = fm.fileExists(atPath: (listed as NSString).appendingPathComponent(name), isDirectory: &isDirectory)
            return folder + name + (isDirectory.boolValue ? "/" : "")
        }
    }

    /// Positional words so far, skipping options and their values.
    private func positionalCount(_ words: [String], spec: CommandSpec) -> Int {
        var count = 0
        var index = 0
        while index < words.count {
            let word = words[index]
            index += 1
            if word.hasPrefix("-") && word != "-" {
                let option = word.hasPrefix("--") ? spec.option(named: String(word.dropFirst(2))) : (word.count == 2 ? spec.option(short: word.last!) : nil)
                if let option, !option.isFlag, !word.contains("=") { index += 1 }
                continue
            }
            count += 1
        }
        return count
    }

    private func argument(at index: Int, of spec: CommandSpec) -> ArgumentSpec? {
        if index < spec.arguments.count { return spec.arguments[index] }
        if let last = spec.arguments.last, last.arity == .oneOrMore || last.arity == .zeroOrMore { return last }
        return nil
    }
}
