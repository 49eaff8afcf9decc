import BenchCore

/// A command line checked against its declaration: values typed, defaults known, canonical form ready to record.
public struct Invocation: Sendable {
    public let spec: CommandSpec
    /// Positional values by argument name (variadic arguments hold several).
    public let arguments: [String: [String]]
    /// Option values by long name, in the order given (flags hold `["true"]`).
    public let options: [String: [String]]

    /// The value of a single positional argument.
    public func argument(_ name: String) -> String? { arguments[name]?.first }
    public func argumentList(_ name: String) -> [String] { arguments[name] ?? [] }

    /// An option's value, or its declared default.
    public func option(_ name: String) -> String? { options[name]?.last ?? spec.option(named: name)?.defaultValue }
    public func optionList(_ name: String) -> [String] { options[name] ?? [] }
    public func flag(_ name: String) -> Bool { options[name] != nil }

    /// The values of a `KEY=VALUE` option (checked by `ValueType.keyValue`), split at the first `=`.
    public func keyValuePairs(_ name: String) -> [(key: String, value: String)] {
        optionList(name).map { pair in
            let eq = pair.firstIndex(of: "=")!
            return (String(pair[..<eq]), String(pair[pair.index(after: eq)...]))
        }
    }
    public func wasGiven(_ name: String) -> Bool { options[name] != nil }

    public func duration(_ name: String) -> BenchDuration? { option(name).flatMap(BenchDuration.init(parsing:)) }
    public func integer(_ name: String) -> Int? { option(name).flatMap { Int($0) } }

    /// The canonical words to record: the command path, positionals, then options in declaration
    /// order with long names, including defaults that affect results.
    public var normalizedWords: [String] {
        var words = spec.path
        for argument in spec.arguments { words += arguments[argument.name] ?? [] }
        for option in spec.options {
            if option.isFlag {
                if options[option.name] != nil { words.append("--\(option.name)") }
            } else if let values = options[option.name] {
                for value in values { words += ["--\(option.name)", value] }
            } else if option.recordsDefault, let value = option.defaultValue {
                words += ["--\(option.name)", value]
            }
        }
        return words
    }

    public var normalizedLine: String { ShellQuoting.join(normalizedWords) }

    /// The canonical line with values the command resolved itself, for options the user did not give.
    public func normalizedLine(adding resolved: [(name: String, value: String)]) -> String {
        var words = normalizedWords
        for (name, value) in resolved where options[name] == nil && spec.option(named: name) != nil {
            words += ["--\(name)", value]
        }
        return ShellQuoting.join(words)
    }
}
