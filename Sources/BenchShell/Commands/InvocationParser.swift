import BenchCore

/// Checks the words after a command's path against its declaration.
///
/// Options may come before, between or after positionals; `--name=value`, `--name value`, `-x value`
/// and `--` (end of options) are understood, as in most Unix tools.
enum InvocationParser {
    static func parse(_ words: [String], for spec: CommandSpec) throws -> Invocation {
        var options: [String: [String]] = [:]
        var positionals: [String] = []
        var index = 0
        var optionsEnded = false
        while index < words.count {
            let word = words[index]
            index += 1
            if optionsEnded || word == "-" || !word.hasPrefix("-") || Double(word) != nil {
                positionals.append(word)
                continue
            }
            if word == "--" {
                optionsEnded = true
                continue
            }
            var inlineValue: String?
            let option: OptionSpec
            if word.hasPrefix("--") {
                var name = String(word.dropFirst(2))
                if let eq = name.firstIndex(of: "=") {
                    inlineValue = String(name[name.index(after: eq)...])
                    name = String(name[..<eq])
                }
                guard let found = spec.option(named: name) else { throw unknownOption(word, name: name, spec: spec) }
                option = found
            } else {
                guard word.count == 2, let found = spec.option(short: word.last!) else {
                    throw unknownOption(word, name: String(word.dropFirst()), spec: spec)
                }
                option = found
            }
            if option.isFlag {
                if inlineValue != nil { throw BenchError.usage("\(spec.name): option --\(option.name) takes no value") }
                options[option.name] = ["true"]
                continue
            }
            let raw: String
            if let inlineValue {
                raw = inlineValue
            } else {
                guard index < words.count else {
                    throw BenchError.usage("\(spec.name): option --\(option.name) needs a value (\(option.valueName ?? "VALUE"))")
                }
                raw = words[index]
                index += 1
            }
            let value: String
            switch option.type.normalize(raw) {
            case .success(let v): value = v
            case .failure(let error): throw BenchError.usage("\(spec.name): --\(option.name): \(error.message)")
            }
            if option.repeatable {
                options[option.name, default: []].append(value)
            } else {
                if options[option.name] != nil {
                    throw BenchError.usage("\(spec.name): option --\(option.name) given twice")
                }
                options[option.name] = [value]
            }
        }
        return Invocation(spec: spec, arguments: try bind(positionals, to: spec), options: options)
    }

    private static func unknownOption(_ word: String, name: String, spec: CommandSpec) -> BenchError {
        let names = spec.options.map(\.name)
        let hint = Suggestions.nearest(to: name, in: names).first.map { "; did you mean '--\($0)'?" } ?? ""
        let valid = names.isEmpty ? "it takes no options" : "options: " + names.map { "--\($0)" }.joined(separator: ", ")
        return BenchError.usage("\(spec.name): unknown option '\(word)'\(hint) (\(valid))")
    }

    /// Assigns positional words to declared arguments left to right; a variadic argument takes what
    /// the arguments after it do not need.
    private static func bind(_ words: [String], to spec: CommandSpec) throws -> [String: [String]] {
        var result: [String: [String]] = [:]
        var remaining = words[...]
        for (i, argument) in spec.arguments.enumerated() {
            let neededAfter = spec.arguments[(i + 1)...].filter { $0.arity == .one || $0.arity == .oneOrMore }.count
            let take: Int
            switch argument.arity {
            case .one:
                guard !remaining.isEmpty else {
                    throw BenchError.usage("\(spec.name): missing \(argument.name) (\(argument.help)); usage: \(spec.usage)")
                }
                take = 1
            case .optional:
                take = remaining.count > neededAfter ? 1 : 0
            case .oneOrMore:
                guard remaining.count > neededAfter else {
                    throw BenchError.usage("\(spec.name): missing \(argument.name) (\(argument.help)); usage: \(spec.usage)")
                }
                take = remaining.count - neededAfter
            case .zeroOrMore:
                take = max(0, remaining.count - neededAfter)
            }
            var values: [String] = []
            for raw in remaining.prefix(take) {
                switch argument.type.normalize(raw) {
                case .success(let v): values.append(v)
                case .failure(let error): throw BenchError.usage("\(spec.name): \(argument.name): \(error.message)")
                }
            }
            remaining = remaining.dropFirst(take)
            if !values.isEmpty { result[argument.name] = values }
        }
        if let extra = remaining.first {
            throw BenchError.usage("\(spec.name): unexpected argument '\(extra)'; usage: \(spec.usage)")
        }
        return result
    }
}
