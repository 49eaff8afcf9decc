import BenchCore

/// A typed `--name` option: declared once, it is both the spec's entry and the way a command reads the value.
///
/// Commands list `key.spec` in their `CommandSpec` and read `invocation[key]`, so the name is spelled in
/// one place and a renamed option cannot drift from the code that reads it. The parser has already
/// checked and normalized every value against `spec.type`; decoding here therefore cannot fail, and a
/// key reads as an optional exactly when it has no default.
public struct OptionKey<Value: Sendable>: Sendable {
    /// The declaration that help, completion, validation and recording read.
    public let spec: OptionSpec
    /// Turns the values given on the line (empty when the option was not given) into `Value`.
    let decode: @Sendable (_ given: [String]) -> Value

    init(_ spec: OptionSpec, decode: @escaping @Sendable (_ given: [String]) -> Value) {
        self.spec = spec
        self.decode = decode
    }

    public var name: String { spec.name }
}

/// The parser checked `text` against the declared type; a value that does not decode is a bug in the declaration.
func parsedValue<T>(_ value: T?, _ text: String, option name: String) -> T {
    guard let value else { preconditionFailure("--\(name): '\(text)' passed the parser's check but does not decode") }
    return value
}

/// `4` rather than `4.0`, and never grouped (`1,000`): the parser must read the default back.
private func plainNumber(_ value: Double) -> String {
    value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
}

// MARK: Flags

extension OptionKey where Value == Bool {
    /// A flag: true when given.
    public static func flag(_ name: String, short: Character? = nil, _ help: String) -> OptionKey {
        OptionKey(.flag(name, short: short, help)) { !$0.isEmpty }
    }
}

// MARK: Integers

extension OptionKey where Value == Int? {
    /// An integer of at least `min`; nil when not given.
    public static func integer(_ name: String, short: Character? = nil, _ valueName: String, _ help: String, min: Int,
                               completion: CompletionSource = .none) -> OptionKey {
        OptionKey(.value(name, short: short, valueName, help, type: .integer(min: min), completion: completion)) { given in
            given.last.map { parsedValue(Int($0), $0, option: name) }
        }
    }
}

extension OptionKey where Value == Int {
    /// An integer of at least `min`, `defaultValue` when not given.
    public static func integer(_ name: String, short: Character? = nil, _ valueName: String, _ help: String, min: Int,
                               default defaultValue: Int, recordsDefault: Bool = false, completion: CompletionSource = .none) -> OptionKey {
        OptionKey(.value(name, short: short, valueName, help, type: .integer(min: min), default: String(defaultValue),
                         recordsDefault: recordsDefault, completion: completion)) { given in
            given.last.map { parsedValue(Int($0), $0, option: name) } ?? defaultValue
        }
    }
}

// MARK: Numbers

extension OptionKey where Value == Double? {
    /// A finite number of at least `min`; nil when not given.
    public static func number(_ name: String, short: Character? = nil, _ valueName: String, _ help: String, min: Double,
                              completion: CompletionSource = .none) -> OptionKey {
        OptionKey(.value(name, short: short, valueName, help, type: .number(min: min), completion: completion)) { given in
            given.last.map { parsedValue(Double($0), $0, option: name) }
        }
    }
}

extension OptionKey where Value == Double {
    /// A finite number of at least `min`, `defaultValue` when not given.
    public static func number(_ name: String, short: Character? = nil, _ valueName: String, _ help: String, min: Double,
                              default defaultValue: Double, recordsDefault: Bool = false, completion: CompletionSource = .none) -> OptionKey {
        OptionKey(.value(name, short: short, valueName, help, type: .number(min: min), default: plainNumber(defaultValue),
                         recordsDefault: recordsDefault, completion: completion)) { given in
            given.last.map { parsedValue(Double($0), $0, option: name) } ?? defaultValue
        }
    }
}

// MARK: Strings and handles

extension OptionKey where Value == String? {
    /// Free text (a name, a file, a time); nil when not given.
    public static func string(_ name: String, short: Character? = nil, _ valueName: String, _ help: String,
                              completion: CompletionSource = .none) -> OptionKey {
        OptionKey(.value(name, short: short, valueName, help, completion: completion)) { $0.last }
    }

    /// A handle (or alias) of `kind`, completed from the live handles; resolving it is the command's job.
    public static func handle(_ name: String, _ valueName: String, _ help: String, kind: HandleKind) -> OptionKey {
        OptionKey(.value(name, valueName, help, type: .handle(kind), completion: .handles(kind))) { $0.last }
    }
}

extension OptionKey where Value == String {
    /// Free text, `defaultValue` when not given.
    public static func string(_ name: String, short: Character? = nil, _ valueName: String, _ help: String,
                              default defaultValue: String, recordsDefault: Bool = false, completion: CompletionSource = .none) -> OptionKey {
        OptionKey(.value(name, short: short, valueName, help, default: defaultValue, recordsDefault: recordsDefault,
                         completion: completion)) { $0.last ?? defaultValue }
    }
}

// MARK: Durations

extension OptionKey where Value == BenchDuration? {
    /// A duration (`30s`, `1h30m`, `HH:MM:SS`); nil when not given.
    public static func duration(_ name: String, short: Character? = nil, _ valueName: String, _ help: String) -> OptionKey {
        OptionKey(.value(name, short: short, valueName, help, type: .duration)) { given in
            given.last.map { parsedValue(BenchDuration(parsing: $0), $0, option: name) }
        }
    }
}

extension OptionKey where Value == BenchDuration {
    /// A duration, `defaultValue` when not given.
    public static func duration(_ name: String, short: Character? = nil, _ valueName: String, _ help: String,
                                default defaultValue: BenchDuration, recordsDefault: Bool = false) -> OptionKey {
        OptionKey(.value(name, short: short, valueName, help, type: .duration, default: defaultValue.description,
                         recordsDefault: recordsDefault)) { given in
            given.last.map { parsedValue(BenchDuration(parsing: $0), $0, option: name) } ?? defaultValue
        }
    }
}

// MARK: Choices

extension OptionKey {
    /// One of an enum's cases, spelled as its raw value (`--on slurm`); nil when not given.
    ///
    /// `cases` fixes the order shown in help and completion (all cases by default).
    public static func choice<Choice>(_ name: String, short: Character? = nil, _ valueName: String, _ help: String,
                                      cases: [Choice] = Array(Choice.allCases)) -> OptionKey
    where Value == Choice?, Choice: RawRepresentable & CaseIterable & Sendable, Choice.RawValue == String {
        OptionKey(.value(name, short: short, valueName, help, type: .choice(cases.map(\.rawValue)))) { given in
            given.last.map { parsedValue(Choice(rawValue: $0), $0, option: name) }
        }
    }
}

extension OptionKey where Value: RawRepresentable & CaseIterable, Value.RawValue == String {
    /// One of an enum's cases, `defaultValue` when not given.
    public static func choice(_ name: String, short: Character? = nil, _ valueName: String, _ help: String,
                              cases: [Value] = Array(Value.allCases), default defaultValue: Value,
                              recordsDefault: Bool = false) -> OptionKey {
        OptionKey(.value(name, short: short, valueName, help, type: .choice(cases.map(\.rawValue)), default: defaultValue.rawValue,
                         recordsDefault: recordsDefault)) { given in
            given.last.map { parsedValue(Value(rawValue: $0), $0, option: name) } ?? defaultValue
        }
    }
}

// MARK: Repeated values

extension OptionKey where Value == [String] {
    /// An option that may be given several times; its values in the order given (none when not given).
    public static func list(_ name: String, short: Character? = nil, _ valueName: String, _ help: String,
                            type: ValueType = .string, completion: CompletionSource = .none) -> OptionKey {
        OptionKey(.value(name, short: short, valueName, help, type: type, repeatable: true, completion: completion)) { $0 }
    }
}

extension OptionKey where Value == [KeyValuePair] {
    /// A repeatable `KEY=VALUE` option (`--set threads=2`), each value split at its first `=`.
    public static func pairs(_ name: String, short: Character? = nil, _ valueName: String, _ help: String) -> OptionKey {
        OptionKey(.value(name, short: short, valueName, help, type: .keyValue, repeatable: true)) { given in
            given.map { parsedValue(KeyValuePair(splitting: $0), $0, option: name) }
        }
    }
}
