import BenchCore

/// A command line checked against its declaration: values typed, defaults known, canonical form ready to record.
public struct Invocation: Sendable {
    public let spec: CommandSpec
    /// Positional values by argument name (variadic arguments hold several).
    public let arguments: [String: [String]]
    /// Option values by long name, in the order given (flags hold `["true"]`).
    public let options: [String: [String]]

    // MARK: Typed access

    /// An option's value as its key declares it: the default applied, nil only for a key without one.
    public subscript<Value>(key: OptionKey<Value>) -> Value {
        assert(spec.option(named: key.name) != nil, "\(spec.name) reads --\(key.name) but does not declare it")
        return key.decode(options[key.name] ?? [])
    }

    /// A positional argument's value as its key declares it; a required one is always present.
    public subscript<Value>(key: ArgumentKey<Value>) -> Value {
        assert(spec.arguments.contains { $0.name == key.name }, "\(spec.name) reads \(key.name) but does not declare it")
        return key.decode(arguments[key.name] ?? [])
    }

    /// Whether the line gave the option (a default does not count).
    public func wasGiven<Value>(_ key: OptionKey<Value>) -> Bool { options[key.name] != nil }

    // MARK: Access by name
    //
    // Internal: every command reads through keys, so that a name is spelled only once; these serve
    // the parser's own tests, which look at what it stored under each name.

    /// The value of a single positional argument.
    func argument(_ name: String) -> String? { arguments[name]?.first }
    /// The values of a variadic argument.
    func argumentList(_ name: String) -> [String] { arguments[name] ?? [] }

    /// An option's value, or its declared default.
    func option(_ name: String) -> String? { options[name]?.last ?? spec.option(named: name)?.defaultValue }
    /// A repeatable option's values.
    func optionList(_ name: String) -> [String] { options[name] ?? [] }
    /// Whether a flag was given.
    func flag(_ name: String) -> Bool { options[name] != nil }

    /// The values of a `KEY=VALUE` option (checked by `ValueType.keyValue`), split at the first `=`.
    ///
    func keyValuePairs(_ name: String) -> [(key: String, value: String)] {
        optionList(name).map { pair in
            let eq = pair.firstIndex(of: "=")!
            return (String(pair[..<eq]), String(pair[pair.index(after: eq)...]))
        }
    }
    /// Whether the line gave the option.
    func wasGiven(_ name: String) -> Bool { options[name] != nil }

    /// A duration option's value or default.
    func duration(_ name: String) -> BenchDuration? { option(name).flatMap(BenchDuration.init(parsing:)) }
    /// An integer option's value or default.
    func integer(_ name: String) -> Int? { option(name).flatMap { Int($0) } }

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
