import Foundation

/// Values that must never reach a script, a result or a report (SLURM account, tokens, keys).
///
/// They come from `.env` and the environment; replay reads them again from there, so scripts only
/// ever name the variable.
public struct Secrets: Sendable {
    /// Variable names whose values are secret: the SLURM account and anything that looks like a credential.
    public static func isSecretName(_ name: String) -> Bool {
        let upper = name.uppercased()
        if upper == "SLURM_ACCOUNT" { return true }
        return ["TOKEN", "SECRET", "PASSWORD", "PASSWD", "API_KEY", "APIKEY", "ACCESS_KEY", "PRIVATE_KEY", "CREDENTIAL"]
            .contains { upper.contains($0) }
    }

    /// name -> value of every secret known to this process.
    public let values: [String: String]

    public init(values: [String: String]) {
        // Very short values would redact ordinary words and numbers; they are not credentials anyway.
        self.values = values.filter { Secrets.isSecretName($0.key) && $0.value.count >= 4 }
    }

    /// Secrets from the environment and from a `.env` file (KEY=VALUE lines, `#` comments, optional quotes).
    public static func load(environment: [String: String], dotenv: URL?) -> Secrets {
        Secrets(values: merging(environment, dotenv: dotenv))
    }

    /// The environment with a `.env` file's values added where the environment has none (it wins):
    /// what secrets and the SLURM settings are read from. A missing file adds nothing.
    public static func merging(_ environment: [String: String], dotenv: URL?) -> [String: String] {
        var all = environment
        if let dotenv, let text = try? String(contentsOf: dotenv, encoding: .utf8) {
            for (key, value) in parseDotenv(text) where all[key] == nil { all[key] = value }
        }
        return all
    }

    /// Parses `.env` text; malformed lines are skipped, like docker and python-dotenv do.
    public static func parseDotenv(_ text: String) -> [(String, String)] {
        text.split(whereSeparator: \.isNewline).compactMap { raw in
            var line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("#") || line.isEmpty { return nil }
            if line.hasPrefix("export ") { line = String(line.dropFirst(7)) }
            guard let eq = line.firstIndex(of: "=") else { return nil }
            let key = line[..<eq].trimmingCharacters(in: .whitespaces)
            var value = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, let q = value.first, q == "\"" || q == "'", value.last == q {
                value = String(value.dropFirst().dropLast())
            }
            return key.isEmpty ? nil : (key, value)
        }
    }

    /// `text` with every secret value replaced by `${NAME}`.
    public func redact(_ text: String) -> String {
        var out = text
        // Longest first, so a secret containing another is replaced whole.
        for (name, value) in values.sorted(by: { $0.value.count > $1.value.count }) where out.contains(value) {
            out = out.replacingOccurrences(of: value, with: "${\(name)}")
        }
        return out
    }
}
