/// What a handle names: a server instance, a client run or a monitor.
public enum HandleKind: String, CaseIterable, Sendable, Codable {
    case server = "s"
    case run = "r"
    case monitor = "m"

    public var noun: String {
        switch self {
        case .server: "server"
        case .run: "run"
        case .monitor: "monitor"
        }
    }
}

/// A session-scoped name like `s1`, `r2`, `m1`: assigned in order and never reused within a session.
public struct Handle: Hashable, Sendable, Comparable, CustomStringConvertible, Codable {
    public let kind: HandleKind
    public let number: Int

    public init(kind: HandleKind, number: Int) {
        self.kind = kind
        self.number = number
    }

    /// Parses `s1`, `r12`, `m3`; nil for anything else.
    public init?(parsing text: String) {
        guard let first = text.first, let kind = HandleKind(rawValue: String(first)),
              let number = Int(text.dropFirst()), number > 0, text.dropFirst().allSatisfy(\.isNumber)
        else { return nil }
        self.init(kind: kind, number: number)
    }

    public var description: String { "\(kind.rawValue)\(number)" }

    public static func < (l: Handle, r: Handle) -> Bool {
        l.kind.rawValue != r.kind.rawValue ? l.kind.rawValue < r.kind.rawValue : l.number < r.number
    }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let parsed = Handle(parsing: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a handle: \(text)"))
        }
        self = parsed
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}
