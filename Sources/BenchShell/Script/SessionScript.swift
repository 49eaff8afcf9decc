import BenchCore
import Foundation

/// A recorded `.bench` script read back for replay: its commands with line numbers, header fields and recipe hashes.
public struct SessionScript: Sendable {
    /// One command line of the script.
    public struct Command: Sendable, Equatable {
        public let line: Int
        public let text: String
        /// Handles the recorded run got from this command (`# -> s1 s2`), to check the replay against.
        public let expectedHandles: [String]
        /// An interrupted or failed command that took handles (`# interrupted: … # -> r2`, `# failed: … # -> r3`):
        /// not run again, but its handles are skipped so later ones match.
        public var skipped = false
    }

    /// A `# recipe:` line: which recipe the recorded run used, and its hash then.
    public struct RecipeRecord: Sendable, Equatable {
        public let kind: String
        public let name: String
        public let sha256: String
    }

    public let path: String
    public let commands: [Command]
    /// `# key: value` lines of the header (session, date, bench, host, orchestrator).
    public let header: [String: String]
    public let recipes: [RecipeRecord]

    public init(path: String, text: String) {
        self.path = path
        var commands: [Command] = []
        var header: [String: String] = [:]
        var recipes: [RecipeRecord] = []
        var inHeader = true
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty { continue }
            if line.hasPrefix("#") {
                let body = line.dropFirst().trimmingCharacters(in: .whitespaces)
                if let verdict = ["interrupted: ", "failed: "].first(where: body.hasPrefix),
                   case let handles = Self.handles(after: String(body)), !handles.isEmpty {
                    inHeader = false
                    commands.append(Command(line: index + 1, text: String(body.dropFirst(verdict.count)), expectedHandles: handles, skipped: true))
                } else if body.hasPrefix("recipe: ") {
                    let parts = body.dropFirst(8).split(separator: " ")
                    if parts.count >= 3, parts[2].hasPrefix("sha256=") {
                        recipes.append(RecipeRecord(kind: String(parts[0]), name: String(parts[1]), sha256: String(parts[2].dropFirst(7))))
                    }
                } else if inHeader, let colon = body.firstIndex(of: ":") {
                    header[String(body[..<colon])] = body[body.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                }
                continue
            }
            inHeader = false
            commands.append(Command(line: index + 1, text: line, expectedHandles: Self.handles(after: line)))
        }
        self.commands = commands
        self.header = header
        self.recipes = recipes
    }

    /// The handles a line's `# -> s1 s2` marker names; anything after them is a comment of the script's author.
    static func handles(after line: String) -> [String] {
        guard let marker = line.range(of: "  # -> ", options: .backwards) else { return [] }
        return line[marker.upperBound...].split(separator: " ").map(String.init).prefix { Handle(parsing: $0) != nil }.map { $0 }
    }

    public static func load(_ url: URL, displayPath: String) throws -> SessionScript {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw BenchError.usage("--replay: cannot read '\(displayPath)' (no such file or not readable)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw BenchError.usage("--replay: '\(displayPath)' is not UTF-8 text")
        }
        return SessionScript(path: displayPath, text: text)
    }
}
