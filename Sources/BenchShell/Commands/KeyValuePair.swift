/// One `KEY=VALUE` value of an option such as `--set` or `--port`.
public struct KeyValuePair: Sendable, Hashable {
    public let key: String
    public let value: String

    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }

    /// Splits at the first `=`, so values may contain `=` themselves; nil without a key.
    init?(splitting text: String) {
        guard let eq = text.firstIndex(of: "="), eq != text.startIndex else { return nil }
        self.init(key: String(text[..<eq]), value: String(text[text.index(after: eq)...]))
    }
}
