import Foundation
import Yams

/// Reads recipe YAML into typed recipes, reporting every problem of a file with its position.
public enum RecipeLoader {
    /// Parses one recipe. Throws RecipeValidationError listing every problem, each as `file:line:column: field: message`.
    /// `file` is only used in messages and for the name check (a recipe's `name` must equal its file name).
    public static func parse(text: String, file: String, kind: RecipeKind) throws -> Recipe {
        let reader = RecipeReader(file: file, text: text)
        let root: Node
        switch compose(text, file: file) {
        case .failure(let error): throw error
        case .success(nil):
            reader.report(line: 1, column: 1, "", emptyMessage(kind))
            throw RecipeValidationError(diagnostics: reader.sortedDiagnostics)
        case .success(let node?): root = node
        }
        guard let map = reader.mapping(root, "", fields: fields(of: kind), what: "a mapping of \(kind) recipe fields") else {
            throw RecipeValidationError(diagnostics: reader.sortedDiagnostics)
        }
        let (name, description) = common(map, reader, file: file)
        let recipe: Recipe
        switch kind {
        case .server: recipe = .server(server(map, reader, name: name, description: description))
        case .client: recipe = .client(client(map, reader, name: name, description: description))
        case .monitor: recipe = .monitor(monitor(map, reader, name: name, description: description))
        }
        if reader.hasErrors { throw RecipeValidationError(diagnostics: reader.sortedDiagnostics) }
        return recipe
    }

    /// Reads and parses a recipe file. With `kind` nil, the kind comes from the parent folder
    /// (`servers`, `clients`, `monitors`), else from the recipe's shape (see `inferKind(text:)`).
    /// `displayPath` is how messages name the file (default: relative to the working directory when inside it).
    public static func load(file: URL, displayPath: String? = nil, kind: RecipeKind? = nil) throws -> Recipe {
        let shown = displayPath ?? DisplayPath.of(file)
        let text = try readText(file, shown: shown)
        if let kind = kind ?? RecipeKind(folderName: file.deletingLastPathComponent().lastPathComponent) ?? inferKind(text: text) {
            return try parse(text: text, file: shown, kind: kind)
        }
        // The kind is unknown: report a syntax error or an empty file as such, else say what decides the kind.
        switch compose(text, file: shown) {
        case .failure(let error): throw error
        case .success(nil):
            throw RecipeValidationError(diagnostics: [RecipeDiagnostic(file: shown, line: 1, column: 1, field: "", message: emptyMessage(nil))])
        case .success(let node?):
            let mark = node.mark
            throw RecipeValidationError(diagnostics: [RecipeDiagnostic(
                file: shown, line: mark?.line ?? 1, column: mark?.column ?? 1, field: "",
                message: "cannot tell whether this is a server, client or monitor recipe; put it in a servers/, clients/ "
                    + "or monitors/ folder, or give it 'service' (server), 'kind' with 'target' or 'workload' (client), "
                    + "or 'prometheus', 'exporters' or 'queries' (monitor)")])
        }
    }

    /// The kind a recipe's top-level fields imply: `service` => server; `kind` with `workload`, `target`
    /// or `params` => client; `prometheus`, `queries`, `exporters` or `type: sampler` => monitor. nil if none.
    public static func inferKind(text: String) -> RecipeKind? {
        guard let node = try? Yams.compose(yaml: text), case .mapping(let mapping) = node else { return nil }
        let keys = Set(mapping.keys.compactMap(\.string))
        if keys.contains("service") { return .server }
        if keys.contains("kind"), !keys.isDisjoint(with: ["workload", "target", "params"]) { return .client }
        if !keys.isDisjoint(with: ["prometheus", "queries", "exporters"]) || mapping["type"]?.string == "sampler" { return .monitor }
        return nil
    }


    /// The recipe name a file stands for: its name without `.yaml`/`.yml`; nil for other files.
    public static func recipeName(forFile file: String) -> String? {
        let base = (file as NSString).lastPathComponent
        for suffix in [".yaml", ".yml"] where base.hasSuffix(suffix) && base.count > suffix.count {
            return String(base.dropLast(suffix.count))
        }
        return nil
    }

    /// The top-level fields of each kind, in documentation order.
    public static func fields(of kind: RecipeKind) -> [String] {
        switch kind {
        case .server: return ["name", "description", "service", "env", "ports", "container", "readiness", "metrics", "resources", "settings"]
        case .client: return ["name", "description", "kind", "target", "workload", "params", "slo"]
        case .monitor: return ["name", "description", "type", "interval", "prometheus", "exporters", "queries"]
        }
    }

    // MARK: Shared parts

    static func readText(_ file: URL, shown: String) throws -> String {
        let data: Data
        do {
            data = try Data(contentsOf: file)
        } catch {
            throw BenchError("cannot read recipe \(shown): \(describeReadError(error))")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw RecipeValidationError(diagnostics: [RecipeDiagnostic(file: shown, line: 1, column: 1, field: "", message: "not UTF-8 text")])
        }
        return text
    }

    static func describeReadError(_ error: Error) -> String {
        let ns = error as NSError
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        if ns.domain == NSCocoaErrorDomain {
            switch ns.code {
            case NSFileReadNoSuchFileError: return String(cString: strerror(ENOENT))
            case NSFileReadNoPermissionError: return String(cString: strerror(EACCES))
            default: break
            }
        }
        return ns.localizedDescription
    }

    static func emptyMessage(_ kind: RecipeKind?) -> String {
        let what = kind.map { "a \($0.rawValue) recipe" } ?? "a recipe"
        let template = kind.map { "'recipe new \($0.rawValue) NAME'" } ?? "'recipe new server|client|monitor NAME'"
        return "empty recipe; \(what) is a YAML mapping of fields (\(template) writes a commented template)"
    }

    /// The YAML tree, or the syntax error as a validation error.
    static func compose(_ text: String, file: String) -> Result<Node?, RecipeValidationError> {
        do {
            return .success(try Yams.compose(yaml: text))
        } catch {
            return .failure(RecipeValidationError(diagnostics: [syntaxDiagnostic(error, file: file, text: text)]))
        }
    }

    static func syntaxDiagnostic(_ error: Error, file: String, text: String) -> RecipeDiagnostic {
        func at(_ line: Int, _ column: Int, _ message: String) -> RecipeDiagnostic {
            RecipeDiagnostic(file: file, line: max(1, line), column: max(1, column), field: "", message: message)
        }
        guard let yamlError = error as? YamlError else { return at(1, 1, "cannot parse YAML: \(error)") }
        switch yamlError {
        case .scanner(let context, let problem, let mark, _),
             .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            if problem == "but found another document" {
                return at(mark.line, mark.column, "a recipe file holds one YAML document; remove this '---' and what follows, or split the file")
            }
            let while_ = context.map { " (\($0.text) at \($0.mark.line):\($0.mark.column))" } ?? ""
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            let tab = mark.line >= 1 && mark.line <= lines.count && lines[mark.line - 1].unicodeScalars.contains("\t")
            return at(mark.line, mark.column, "YAML syntax error: \(problem)\(while_)\(tab ? "; indent with spaces, YAML does not allow tabs" : "")")
        case .reader(let problem, let offset, _, _):
            var line = 1, column = 1
            if let offset {
                for character in text.prefix(offset) {
                    if character == "\n" { line += 1; column = 1 } else { column += character.unicodeScalars.count }
                }
            }
            return at(line, column, "cannot read YAML: \(problem)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            // Yams marks the first occurrence; point at the repeat, a later key at the same indentation.
            let names = duplicates.map { "'\($0)'" }.joined(separator: ", ")
            var line = context.mark.line, column = context.mark.column
            if let key = duplicates.first {
                let indent = String(repeating: " ", count: max(0, column - 1))
                let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
                for index in lines.indices.dropFirst(line) {
                    let content = lines[index].drop { $0 == " " }
                    if content.isEmpty || content.hasPrefix("#") { continue }
                    if lines[index].count - content.count < indent.count { break }  // the mapping ended
                    if lines[index].hasPrefix(indent + key + ":") {
                        line = index + 1
                        break
                    }
                }
            }
            return at(line, column, "duplicate field \(names); each field may appear only once in a mapping")
        default:
            return at(1, 1, "cannot parse YAML: \(yamlError)")
        }
    }

    /// `name` (must match the file name) and `description`.
    static func common(_ map: RecipeReader.Map, _ r: RecipeReader, file: String) -> (String, String) {
        let stem = recipeName(forFile: file)
        var name = stem ?? ""
        if let node = map.value("name") {
            if let value = r.nonEmptyString(node, "name") {
                if !isValidName(value) {
                    r.report(node, "name", "'\(value)' is not a valid recipe name (letters, digits, '.', '_' and '-', starting with a letter or digit)")
                } else if let stem, value != stem {
                    r.report(node, "name", "'\(value)' does not match the file name '\(stem)'; recipes are looked up by file name, so rename one of them")
                }
                name = value
            }
        } else if stem == nil {
            _ = r.required(map, "name")
        }
        let description = map.value("description").flatMap { r.string($0, "description") } ?? ""
        return (name, description)
    }

    /// Whether `name` can name a recipe: ASCII letters, digits, `.`, `_`, `-`, starting with a letter or digit.
    public static func isValidName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first.isASCII,
              first.properties.isAlphabetic || ("0"..."9").contains(first) else { return false }
        return name.unicodeScalars.allSatisfy {
            $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "." || $0 == "_" || $0 == "-")
        }
    }

    /// A duration that must be longer than zero.
    static func positiveDuration(_ node: Node, _ path: String, _ r: RecipeReader) -> BenchDuration? {
        guard let value = r.duration(node, path) else { return nil }
        guard value.seconds > 0 else {
            r.report(node, path, "must be longer than 0s")
            return nil
        }
        return value
    }

    /// An HTTP path: starts with `/`.
    static func urlPath(_ node: Node, _ path: String, _ r: RecipeReader) -> String? {
        guard let value = r.string(node, path) else { return nil }
        guard value.hasPrefix("/") else {
            r.report(node, path, "'\(value)' must start with '/'")
            return nil
        }
        return value
    }
}
