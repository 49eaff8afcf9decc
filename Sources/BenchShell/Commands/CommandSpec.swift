import BenchCore

/// The areas `help` groups commands under, in display order.
public enum CommandArea: String, CaseIterable, Sendable {
    case servers = "Servers"
    case clients = "Clients"
    case monitors = "Monitors"
    case recipes = "Recipes"
    case session = "Session"
    case shell = "Shell"
}

/// Where Tab finds candidates for an argument or option value.
public enum CompletionSource: Sendable, Equatable {
    case none
    case recipes(RecipeKind)
    case handles(HandleKind)
    case files
    case choices([String])
    case commands
    case settings
}

/// The type of a value: checked when the line is parsed, before the command runs.
public enum ValueType: Sendable, Equatable {
    case string
    case integer(min: Int)
    case number(min: Double)
    case duration
    case choice([String])
    /// `key=value`
    case keyValue
    case handle(HandleKind)
    case path

    /// Checks `text` and returns its canonical spelling, or a message saying what would be valid.
    func normalize(_ text: String) -> Result<String, BenchError> {
        switch self {
        case .string, .path, .handle:
            return .success(text)
        case .integer(let min):
            guard let n = Int(text) else { return .failure(.usage("'\(text)' is not an integer")) }
            guard n >= min else { return .failure(.usage("\(n) is too small; it must be at least \(min)")) }
            return .success(String(n))
        case .number(let min):
            guard let n = Double(text), n.isFinite else { return .failure(.usage("'\(text)' is not a number")) }
            guard n >= min else { return .failure(.usage("\(text) is too small; it must be at least \(min.formatted())")) }
            return .success(text)
        case .duration:
            guard let d = BenchDuration(parsing: text) else {
                return .failure(.usage("'\(text)' is not a duration; use \(BenchDuration.acceptedForms)"))
            }
            return .success(d.description)
        case .choice(let values):
            guard values.contains(text) else {
                return .failure(.usage("'\(text)' is not valid\(Suggestions.didYouMean(text, in: values)) (valid: \(values.joined(separator: ", ")))"))
            }
            return .success(text)
        case .keyValue:
            guard let eq = text.firstIndex(of: "="), eq != text.startIndex else {
                return .failure(.usage("'\(text)' is not of the form key=value"))
            }
            return .success(text)
        }
    }
}

/// A positional argument of a command.
public struct ArgumentSpec: Sendable {
    public enum Arity: Sendable { case one, optional, oneOrMore, zeroOrMore }
    public let name: String
    public let help: String
    public let arity: Arity
    public let type: ValueType
    public let completion: CompletionSource

    public init(_ name: String, _ help: String, arity: Arity = .one, type: ValueType = .string, completion: CompletionSource = .none) {
        self.name = name
        self.help = help
        self.arity = arity
        self.type = type
        self.completion = completion
    }

    var usage: String {
        switch arity {
        case .one: name
        case .optional: "[\(name)]"
        case .oneOrMore: "\(name)…"
        case .zeroOrMore: "[\(name)…]"
        }
    }
}

/// A `--name` option of a command: a flag or one value, possibly repeated.
public struct OptionSpec: Sendable {
    public let name: String
    public let short: Character?
    public let help: String
    /// nil for a flag.
    public let valueName: String?
    public let type: ValueType
    public let defaultValue: String?
    public let repeatable: Bool
    /// Whether the default is written into recorded scripts when the option is not given, because it affects results (seeds, durations).
    public let recordsDefault: Bool
    public let completion: CompletionSource

    /// An option taking a value.
    public static func value(_ name: String, short: Character? = nil, _ valueName: String, _ help: String, type: ValueType = .string,
                             default defaultValue: String? = nil, repeatable: Bool = false, recordsDefault: Bool = false,
                             completion: CompletionSource = .none) -> OptionSpec {
        OptionSpec(name: name, short: short, help: help, valueName: valueName, type: type, defaultValue: defaultValue,
                   repeatable: repeatable, recordsDefault: recordsDefault, completion: completion)
    }

    /// A boolean flag.
    public static func flag(_ name: String, short: Character? = nil, _ help: String) -> OptionSpec {
        OptionSpec(name: name, short: short, help: help, valueName: nil, type: .string, defaultValue: nil,
                   repeatable: false, recordsDefault: false, completion: .none)
    }

    public var isFlag: Bool { valueName == nil }
}

/// Whether a successful command is appended to the session script.
public enum Recording: Sendable, Equatable {
    /// Read-only commands (list, info, help): not recorded.
    case never
    /// Commands that change state or produce results.
    case always
    /// Commands that write something outside the experiment (a recipe template): not recorded, for the reason given.
    case outside(String)

    /// The line `help COMMAND` ends with.
    var helpLine: String {
        switch self {
        case .always: "Recorded in the session script."
        case .never: "Not recorded (it changes nothing)."
        case .outside(let why): "Not recorded: \(why)."
        }
    }
}

/// One command as a declaration: help, completion, validation and recording all read it.
public struct CommandSpec: Sendable {
    public typealias Run = @MainActor @Sendable (Invocation, CommandContext) async throws -> Void

    /// The words that name it: `["server", "start"]`.
    public let path: [String]
    public let area: CommandArea
    public let abstract: String
    public let discussion: String?
    public let arguments: [ArgumentSpec]
    public let options: [OptionSpec]
    public let examples: [String]
    public let recording: Recording
    public let aliases: [String]
    public let run: Run

    public init(_ path: [String], area: CommandArea, abstract: String, discussion: String? = nil, arguments: [ArgumentSpec] = [],
                options: [OptionSpec] = [], examples: [String] = [], recording: Recording = .never, aliases: [String] = [],
                run: @escaping Run) {
        self.path = path
        self.area = area
        self.abstract = abstract
        self.discussion = discussion
        self.arguments = arguments
        self.options = options
        self.examples = examples
        self.recording = recording
        self.aliases = aliases
        self.run = run
    }

    public var name: String { path.joined(separator: " ") }

    /// `server start RECIPE [--count N] …`
    public var usage: String {
        var parts = [name] + arguments.map(\.usage)
        parts += options.map { option in
            let spelled = "--\(option.name)" + (option.valueName.map { " \($0)" } ?? "")
            return "[\(spelled)]" + (option.repeatable ? "…" : "")
        }
        return parts.joined(separator: " ")
    }

    public func option(named name: String) -> OptionSpec? { options.first { $0.name == name } }
    public func option(short: Character) -> OptionSpec? { options.first { $0.short == short } }
}
