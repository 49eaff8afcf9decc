/// A labelled series of samples: one row of a range query's matrix or of the sampler's store.
public struct MetricSeries: Sendable, Equatable, Codable {
    /// All labels, `__name__` included when the query keeps it.
    public var labels: [String: String]
    public var values: [MetricSample]

    public init(labels: [String: String], values: [MetricSample]) {
        self.labels = labels
        self.values = values
    }

    /// `name{a="1",b="2"}` with labels sorted: stable text for tables and CSV.
    public var labelText: String {
        MetricSeries.labelText(labels)
    }

    /// `{a="1",b="2"}` (sorted, `__name__` shown in front), or `{}`.
    public static func labelText(_ labels: [String: String]) -> String {
        let name = labels["__name__"] ?? ""
        let rest = labels.filter { $0.key != "__name__" }.sorted { $0.key < $1.key }
            .map { "\($0.key)=\"\(escape($0.value))\"" }
        return name + "{" + rest.joined(separator: ",") + "}"
    }

    private static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(character)
            }
        }
        return out
    }
}
