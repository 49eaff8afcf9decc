import BenchCore

/// A typed positional argument: declared once, it is both the spec's entry and the way a command reads the value.
///
/// The parser refuses a line that lacks a required argument, so a required key reads as a plain value
/// (no `!` at the use site); an optional one reads as an optional, a variadic one as an array.
public struct ArgumentKey<Value: Sendable>: Sendable {
    /// The declaration that help, completion, validation and recording read.
    public let spec: ArgumentSpec
    /// Turns the words bound to the argument (empty when none) into `Value`.
    let decode: @Sendable (_ given: [String]) -> Value

    init(_ spec: ArgumentSpec, decode: @escaping @Sendable (_ given: [String]) -> Value) {
        self.spec = spec
        self.decode = decode
    }

    public var name: String { spec.name }
}

/// The parser binds every required argument before a command runs; a missing one is a bug in the parser.
private func required<T>(_ value: T?, _ given: [String], argument name: String) -> T {
    guard let value else { preconditionFailure("\(name): required, but the parser bound \(given)") }
    return value
}

extension ArgumentKey where Value == String {
    /// A required word (a recipe name, a handle, a file).
    public static func one(_ name: String, _ help: String, type: ValueType = .string, completion: CompletionSource = .none) -> ArgumentKey {
        ArgumentKey(ArgumentSpec(name, help, arity: .one, type: type, completion: completion)) { given in
            required(given.first, given, argument: name)
        }
    }
}

extension ArgumentKey where Value == String? {
    /// A word that may be left out.
    public static func optional(_ name: String, _ help: String, type: ValueType = .string, completion: CompletionSource = .none) -> ArgumentKey {
        ArgumentKey(ArgumentSpec(name, help, arity: .optional, type: type, completion: completion)) { $0.first }
    }
}

extension ArgumentKey where Value == [String] {
    /// One or more words; never empty when read.
    public static func oneOrMore(_ name: String, _ help: String, type: ValueType = .string, completion: CompletionSource = .none) -> ArgumentKey {
        ArgumentKey(ArgumentSpec(name, help, arity: .oneOrMore, type: type, completion: completion)) { $0 }
    }

    /// Any number of words, possibly none.
    public static func zeroOrMore(_ name: String, _ help: String, type: ValueType = .string, completion: CompletionSource = .none) -> ArgumentKey {
        ArgumentKey(ArgumentSpec(name, help, arity: .zeroOrMore, type: type, completion: completion)) { $0 }
    }
}

extension ArgumentKey where Value == BenchDuration {
    /// A required duration (`sleep 5s`).
    public static func duration(_ name: String, _ help: String) -> ArgumentKey {
        ArgumentKey(ArgumentSpec(name, help, arity: .one, type: .duration)) { given in
            required(given.first.flatMap(BenchDuration.init(parsing:)), given, argument: name)
        }
    }
}

extension ArgumentKey where Value == Int? {
    /// An integer of at least `min` that may be left out (`history 20`).
    public static func integer(_ name: String, _ help: String, min: Int) -> ArgumentKey {
        ArgumentKey(ArgumentSpec(name, help, arity: .optional, type: .integer(min: min))) { given in
            given.first.map { required(Int($0), given, argument: name) }
        }
    }
}

extension ArgumentKey where Value: RawRepresentable & CaseIterable, Value.RawValue == String {
    /// A required enum case, spelled as its raw value (`recipe new server …`).
    public static func choice(_ name: String, _ help: String, cases: [Value] = Array(Value.allCases)) -> ArgumentKey {
        ArgumentKey(ArgumentSpec(name, help, arity: .one, type: .choice(cases.map(\.rawValue)))) { given in
            required(given.first.flatMap(Value.init(rawValue:)), given, argument: name)
        }
    }
}
