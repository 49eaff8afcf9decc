import Foundation

/// The `{{…}}` placeholders of templated recipe fields, shared by validation and by the orchestrators.
///
/// Templated fields: a server's `service.command`, `service.script`, `service.workdir`, `env`,
/// `container.image`/`binds`, `readiness.command`, and `metrics.exporter.command`/`env`. Inside them
/// `{{` always starts a placeholder; spaces inside the braces are allowed (`{{ port.main }}`).
public enum RecipePlaceholders {
    /// Placeholders whose value bench supplies for every instance.
    public static let fixedNames = ["host", "dir", "cache", "session"]

    /// The valid forms, for error messages and help.
    public static let validForms = "{{host}}, {{dir}}, {{cache}}, {{session}}, {{port.NAME}}, {{set.KEY}}"

    /// Placeholders of an exec client's argv: the target and the run's shape.
    public static let execFixedNames = ["host", "port", "duration_s", "concurrency", "rate", "requests", "seed", "run_dir"]

    /// The valid forms in an exec client, for error messages and the reference.
    public static let execValidForms = "{{host}}, {{port}}, {{port.NAME}} (the target's port), {{duration_s}}, {{concurrency}}, "
        + "{{rate}}, {{requests}}, {{seed}}, {{run_dir}}, {{set.KEY}}"

    /// One `{{…}}` occurrence: `token` as written, `name` trimmed from inside the braces
    /// (nil when the braces are not closed, in which case `token` is `{{`).
    struct Occurrence: Equatable {
        let token: String
        let name: String?
    }

    /// Every placeholder of `text`, in order.
    static func scan(_ text: String) -> [Occurrence] {
        var found: [Occurrence] = []
        var rest = text[...]
        while let open = rest.range(of: "{{") {
            let after = rest[open.upperBound...]
            guard let close = after.range(of: "}}") else {
                found.append(Occurrence(token: "{{", name: nil))
                break
            }
            let inner = after[..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            found.append(Occurrence(token: String(rest[open.lowerBound..<close.upperBound]), name: inner))
            rest = after[close.upperBound...]
        }
        return found
    }

    /// The names inside the placeholders of `text` (`host`, `port.main`, `set.threads`), in order.
    public static func names(in text: String) -> [String] {
        scan(text).compactMap(\.name)
    }

    /// Replaces each `{{NAME}}` by `values[NAME]` (keys like `host`, `port.main`, `set.threads`).
    /// Throws a BenchError naming the first placeholder without a value.
    public static func render(_ text: String, values: [String: String]) throws -> String {
        var out = ""
        var rest = text[...]
        while let open = rest.range(of: "{{") {
            out += rest[..<open.lowerBound]
            let after = rest[open.upperBound...]
            guard let close = after.range(of: "}}") else {
                throw BenchError("'{{' without a closing '}}' in: \(text)")
            }
            let name = after[..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            guard let value = values[name] else {
                throw BenchError("no value for placeholder '{{\(name)}}'\(Suggestions.didYouMean(name, in: Array(values.keys)))")
            }
            out += value
            rest = after[close.upperBound...]
        }
        out += rest
        return out
    }
}
