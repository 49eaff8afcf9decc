/// The settings `set` changes: a closed set of keys, each with its valid values and default.
public struct SessionSettings: Sendable, Equatable {
    /// One known setting.
    public struct Key: Sendable {
        public let name: String
        public let values: [String]
        public let defaultValue: String
        public let help: String
    }

    public static let keys: [Key] = [
        Key(name: "orchestrator", values: ["local", "slurm"], defaultValue: "local",
            help: "where `server start` runs services when --on is not given"),
        Key(name: "timing", values: ["on", "off"], defaultValue: "off",
            help: "print how long each command took"),
        Key(name: "color", values: ["auto", "on", "off"], defaultValue: "auto",
            help: "colour in terminal output (never in batch mode)"),
    ]

    public private(set) var values: [String: String]

    public init() {
        values = Dictionary(uniqueKeysWithValues: Self.keys.map { ($0.name, $0.defaultValue) })
    }

    public subscript(name: String) -> String? { values[name] }

    /// Sets a known key to one of its values, or explains what is valid.
    public mutating func set(_ name: String, to value: String) throws {
        guard let key = Self.keys.first(where: { $0.name == name }) else {
            throw BenchError.usage("unknown setting '\(name)'\(Suggestions.didYouMean(name, in: Self.keys.map(\.name))) (settings: \(Self.keys.map(\.name).joined(separator: ", ")))")
        }
        guard key.values.contains(value) else {
            throw BenchError.usage("setting '\(name)': '\(value)' is not valid; expected one of \(key.values.joined(separator: ", "))")
        }
        values[name] = value
    }
}
