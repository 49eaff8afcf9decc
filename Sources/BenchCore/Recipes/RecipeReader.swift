import Foundation
import Yams

/// Walks a composed YAML tree: converts values, applies nothing by itself, and collects every
/// problem with its line, column and dotted field path instead of stopping at the first.
///
/// Longer than the ~350 lines a file is kept to: one typed reader per YAML value kind (integers,
/// durations, sizes, templates, …), each short, all sharing the problem list and its positions.
final class RecipeReader {
    /// A mapping whose keys were checked against the allowed fields.
    struct Map {
        let node: Node
        let path: String
        let pairs: [(key: String, keyNode: Node, value: Node)]

        var keys: [String] { pairs.map(\.key) }

        func childPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

        func keyNode(_ key: String) -> Node? { pairs.first { $0.key == key }?.keyNode }

        /// The value of `key`; nil when absent or null (an empty value means "use the default").
        func value(_ key: String) -> Node? {
            guard let node = pairs.first(where: { $0.key == key })?.value, !RecipeReader.isNull(node) else { return nil }
            return node
        }

        func has(_ key: String) -> Bool { value(key) != nil }
    }

    let file: String
    private let lines: [[Unicode.Scalar]]
    private(set) var diagnostics: [RecipeDiagnostic] = []

    init(file: String, text: String) {
        self.file = file
        lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { Array($0.unicodeScalars) }
    }

    var hasErrors: Bool { !diagnostics.isEmpty }

    /// The diagnostics in file order (stable for problems at the same place).
    var sortedDiagnostics: [RecipeDiagnostic] {
        diagnostics.enumerated().sorted { a, b in
            (a.element.line, a.element.column, a.offset) < (b.element.line, b.element.column, b.offset)
        }.map(\.element)
    }

    // MARK: Reporting

    func report(line: Int, column: Int, _ field: String, _ message: String) {
        diagnostics.append(RecipeDiagnostic(file: file, line: line, column: column, field: field, message: message))
    }

    func report(at mark: Mark?, _ field: String, _ message: String) {
        report(line: mark?.line ?? 1, column: mark?.column ?? 1, field, message)
    }

    func report(_ node: Node, _ field: String, _ message: String) {
        report(at: node.mark, field, message)
    }

    func expected(_ what: String, _ node: Node, _ path: String, hint: String = "") {
        report(node, path, "expected \(what), found \(RecipeReader.describe(node))\(hint)")
    }

    static func isNull(_ node: Node) -> Bool {
        if case .scalar = node { return node.null != nil }
        return false
    }

    /// How a found value is named in "expected X, found Y".
    static func describe(_ node: Node) -> String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        case .scalar(let scalar):
            if isNull(node) { return "nothing" }
            var text = scalar.string
            if let newline = text.firstIndex(of: "\n") { text = String(text[..<newline]) + "…" }
            if text.count > 40 { text = String(text.prefix(40)) + "…" }
            return "'\(text)'"
        }
    }

    /// `- {{port.main}}` unquoted is a YAML flow mapping holding a mapping: say how to write it.
    static func unquotedPlaceholderHint(_ node: Node) -> String {
        guard case .mapping(let mapping) = node, mapping.count == 1,
              case .mapping = mapping[mapping.startIndex].key else { return "" }
        return "; quote a value that starts with '{{', e.g. \"{{port.main}}\""
    }

    /// Where the `occurrence`-th copy of `token` lies in the source, searching from `mark`.
    func locate(_ token: String, occurrence: Int, from mark: Mark?) -> (line: Int, column: Int)? {
        guard let mark else { return nil }
        let needle = Array(token.unicodeScalars)
        guard !needle.isEmpty else { return nil }
        var seen = 0
        var line = mark.line - 1
        var start = max(0, mark.column - 1)
        while line >= 0, line < lines.count {
            let text = lines[line]
            var i = start
            while i + needle.count <= text.count {
                if text[i..<(i + needle.count)].elementsEqual(needle) {
                    if seen == occurrence { return (line + 1, i + 1) }
                    seen += 1
                    i += needle.count
                } else {
                    i += 1
                }
            }
            line += 1
            start = 0
        }
        return nil
    }

    // MARK: Structure

    /// `node` as a mapping whose keys must be among `fields` (any keys when nil).
    func mapping(_ node: Node, _ path: String, fields: [String]?, what: String = "a mapping") -> Map? {
        guard case .mapping(let mapping) = node else {
            expected(what, node, path)
            return nil
        }
        var pairs: [(key: String, keyNode: Node, value: Node)] = []
        for (keyNode, value) in mapping {
            guard case .scalar(let scalar) = keyNode, !RecipeReader.isNull(keyNode) else {
                report(keyNode, path, "expected a field name, found \(RecipeReader.describe(keyNode))")
                continue
            }
            let key = scalar.string
            let childPath = path.isEmpty ? key : "\(path).\(key)"
            if let fields, !fields.contains(key) {
                let hint = Suggestions.didYouMean(key, in: fields)
                report(keyNode, childPath, hint.isEmpty
                    ? "unknown field (valid fields: \(fields.joined(separator: ", ")))"
                    : "unknown field\(hint)")
                continue
            }
            pairs.append((key, keyNode, value))
        }
        return Map(node: node, path: path, pairs: pairs)
    }

    /// The value of a required field; reports it missing (at the enclosing mapping) when absent or empty.
    func required(_ map: Map, _ key: String) -> Node? {
        if let value = map.value(key) { return value }
        if let keyNode = map.keyNode(key) {
            report(keyNode, map.childPath(key), "missing value (this field is required)")
        } else {
            report(map.node, map.childPath(key), "missing required field")
        }
        return nil
    }

    /// Reports a field that is present although another field's value makes it meaningless.
    func forbid(_ map: Map, _ key: String, _ reason: String) {
        guard let keyNode = map.keyNode(key) else { return }
        report(keyNode, map.childPath(key), reason)
    }

    // MARK: Scalars

    func string(_ node: Node, _ path: String) -> String? {
        guard case .scalar(let scalar) = node, !RecipeReader.isNull(node) else {
            expected("a string", node, path, hint: RecipeReader.unquotedPlaceholderHint(node))
            return nil
        }
        return scalar.string
    }

    func nonEmptyString(_ node: Node, _ path: String) -> String? {
        guard let text = string(node, path) else { return nil }
        guard !text.trimmingCharacters(in: .whitespaces).isEmpty else {
            report(node, path, "must not be empty")
            return nil
        }
        return text
    }

    func int(_ node: Node, _ path: String, min: Int? = nil, max: Int? = nil) -> Int? {
        guard case .scalar(let scalar) = node, !RecipeReader.isNull(node),
              let value = node.int ?? Int(scalar.string.trimmingCharacters(in: .whitespaces)) else {
            expected("an integer", node, path)
            return nil
        }
        if let min, let max, !(min...max).contains(value) {
            report(node, path, "must be between \(min) and \(max), found \(value)")
            return nil
        }
        if let min, value < min {
            report(node, path, "must be at least \(min), found \(value)")
            return nil
        }
        if let max, value > max {
            report(node, path, "must be at most \(max), found \(value)")
            return nil
        }
        return value
    }

    /// A number; `above` is an exclusive lower bound, `min`/`max` inclusive bounds.
    func number(_ node: Node, _ path: String, above: Double? = nil, min: Double? = nil, max: Double? = nil) -> Double? {
        guard case .scalar(let scalar) = node, !RecipeReader.isNull(node) else {
            expected("a number", node, path)
            return nil
        }
        let text = scalar.string.trimmingCharacters(in: .whitespaces)
        guard let value = node.int.map(Double.init) ?? node.float ?? Double(text), value.isFinite else {
            expected("a number", node, path)
            return nil
        }
        if let min, let max, !(min...max).contains(value) {
            report(node, path, "must be between \(RecipeReader.format(min)) and \(RecipeReader.format(max)), found \(text)")
            return nil
        }
        if let above, value <= above {
            report(node, path, "must be greater than \(RecipeReader.format(above)), found \(text)")
            return nil
        }
        if let min, value < min {
            report(node, path, "must be at least \(RecipeReader.format(min)), found \(text)")
            return nil
        }
        return value
    }

    static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }

    func bool(_ node: Node, _ path: String) -> Bool? {
        guard case .scalar = node, let value = node.bool else {
            expected("true or false", node, path)
            return nil
        }
        return value
    }

    func duration(_ node: Node, _ path: String) -> BenchDuration? {
        guard case .scalar(let scalar) = node, !RecipeReader.isNull(node) else {
            expected("a duration", node, path, hint: " (\(BenchDuration.acceptedForms))")
            return nil
        }
        // A bare number has no unit to read: `10` is ten seconds to bench, ten minutes to SLURM's --time.
        if let plain = Double(scalar.string.trimmingCharacters(in: .whitespaces)), plain.isFinite {
            report(node, path, "'\(scalar.string)' has no unit; write '\(scalar.string.trimmingCharacters(in: .whitespaces))s' for seconds "
                + "(\(BenchDuration.acceptedForms))")
            return nil
        }
        guard let value = BenchDuration(parsing: scalar.string) else {
            report(node, path, "'\(scalar.string)' is not a duration; use \(BenchDuration.acceptedForms)")
            return nil
        }
        return value
    }

    func size(_ node: Node, _ path: String) -> ByteSize? {
        guard case .scalar(let scalar) = node, !RecipeReader.isNull(node) else {
            expected("a size", node, path, hint: " (\(ByteSize.acceptedForms))")
            return nil
        }
        guard let value = ByteSize(parsing: scalar.string) else {
            report(node, path, "'\(scalar.string)' is not a size; use \(ByteSize.acceptedForms)")
            return nil
        }
        return value
    }

    func choice<Value: RawRepresentable & CaseIterable>(_ node: Node, _ path: String, as type: Value.Type = Value.self) -> Value?
    where Value.RawValue == String {
        let valid = Value.allCases.map(\.rawValue)
        guard case .scalar(let scalar) = node, !RecipeReader.isNull(node) else {
            expected("one of \(valid.joined(separator: ", "))", node, path)
            return nil
        }
        if let value = Value(rawValue: scalar.string) { return value }
        report(node, path, "'\(scalar.string)' is not one of \(valid.joined(separator: ", "))"
            + Suggestions.didYouMean(scalar.string, in: valid))
        return nil
    }

    /// `auto` or a port number 1…65535.
    func port(_ node: Node, _ path: String) -> PortValue? {
        let problem = "is not a port; use 'auto' or a number from 1 to 65535"
        guard case .scalar(let scalar) = node, !RecipeReader.isNull(node) else {
            expected("'auto' or a port number from 1 to 65535", node, path)
            return nil
        }
        let text = scalar.string.trimmingCharacters(in: .whitespaces)
        if text == "auto" { return .auto }
        guard let number = Int(text), (1...65_535).contains(number) else {
            report(node, path, "'\(text)' \(problem)")
            return nil
        }
        return .fixed(number)
    }

    // MARK: Collections

    func stringList(_ node: Node, _ path: String, hint: String = "") -> [(value: String, node: Node)]? {
        guard case .sequence(let sequence) = node else {
            expected("a list of strings", node, path, hint: hint)
            return nil
        }
        var items: [(String, Node)] = []
        var ok = true
        for (index, item) in sequence.enumerated() {
            if let text = string(item, "\(path)[\(index)]") { items.append((text, item)) } else { ok = false }
        }
        return ok ? items : nil
    }

    /// An argv list: at least one word, the first not empty.
    func argv(_ node: Node, _ path: String, hint: String = "") -> [(value: String, node: Node)]? {
        guard let items = stringList(node, path, hint: hint) else { return nil }
        guard let first = items.first else {
            report(node, path, "must not be empty; give the program and its arguments")
            return nil
        }
        guard !first.value.trimmingCharacters(in: .whitespaces).isEmpty else {
            report(first.node, "\(path)[0]", "the program name must not be empty")
            return nil
        }
        return items
    }

    /// A mapping of names to scalar values (env, settings, headers, queries).
    func stringMap(_ node: Node, _ path: String, what: String, keyRule: NameRule? = nil)
        -> [(key: String, keyNode: Node, value: String, valueNode: Node)]? {
        guard let map = mapping(node, path, fields: nil, what: what) else { return nil }
        var result: [(key: String, keyNode: Node, value: String, valueNode: Node)] = []
        for pair in map.pairs {
            let childPath = map.childPath(pair.key)
            if let keyRule, !keyRule.accepts(pair.key) {
                report(pair.keyNode, childPath, keyRule.problem)
                continue
            }
            guard let value = string(pair.value, childPath) else { continue }
            result.append((pair.key, pair.keyNode, value, pair.value))
        }
        return result
    }

    /// A rule for user-chosen names (ports, settings, env variables).
    struct NameRule: Sendable {
        let accepts: @Sendable (String) -> Bool
        let problem: String

        static let identifier = NameRule(
            accepts: { name in
                guard let first = name.unicodeScalars.first, first.properties.isAlphabetic, first.isASCII else { return false }
                return name.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_" || $0 == "-") }
            },
            problem: "names are ASCII letters, digits, '_' and '-', starting with a letter")

        static let environment = NameRule(
            accepts: { name in
                guard let first = name.unicodeScalars.first, !("0"..."9").contains(first) else { return false }
                return name.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_") }
            },
            problem: "not a valid environment variable name (ASCII letters, digits and '_', not starting with a digit)")
    }

    // MARK: Placeholders

    /// Checks the placeholders of a templated value against the declared ports and settings.
    func checkPlaceholders(_ text: String, node: Node, path: String, ports: [String], settings: [String],
                           fixed: [String] = RecipePlaceholders.fixedNames, validForms: String = RecipePlaceholders.validForms) {
        var seen: [String: Int] = [:]
        for occurrence in RecipePlaceholders.scan(text) {
            let index = seen[occurrence.token, default: 0]
            seen[occurrence.token] = index + 1
            guard let problem = RecipeReader.placeholderProblem(occurrence, ports: ports, settings: settings, fixed: fixed,
                                                                validForms: validForms) else { continue }
            if let place = locate(occurrence.token, occurrence: index, from: node.mark) {
                report(line: place.line, column: place.column, path, problem)
            } else {
                report(node, path, problem)
            }
        }
    }

    static func placeholderProblem(_ occurrence: RecipePlaceholders.Occurrence, ports: [String], settings: [String],
                                   fixed: [String] = RecipePlaceholders.fixedNames, validForms: String = RecipePlaceholders.validForms) -> String? {
        guard let name = occurrence.name else { return "'{{' has no closing '}}'" }
        if fixed.contains(name) { return nil }
        let token = "{{\(name)}}"
        if name.hasPrefix("port.") {
            let port = String(name.dropFirst("port.".count))
            if ports.contains(port) { return nil }
            let hint = Suggestions.didYouMean(port, in: ports)
            return "placeholder '\(token)' names a port that is not declared in 'ports'"
                + (hint.isEmpty ? (ports.isEmpty ? " (no ports are declared)" : " (declared: \(ports.joined(separator: ", ")))") : hint)
        }
        if name.hasPrefix("set.") {
            let key = String(name.dropFirst("set.".count))
            if settings.contains(key) { return nil }
            let hint = Suggestions.didYouMean(key, in: settings)
            return "placeholder '\(token)' has no default in 'settings'"
                + (hint.isEmpty ? " (add '\(key)' under settings)" : hint)
        }
        let candidates = fixed + ports.map { "port.\($0)" } + settings.map { "set.\($0)" }
        let best = Suggestions.nearest(to: name, in: candidates).first
        return "unknown placeholder '\(token)'"
            + (best.map { "; did you mean '{{\($0)}}'?" } ?? "")
            + " (valid: \(validForms))"
    }
}
