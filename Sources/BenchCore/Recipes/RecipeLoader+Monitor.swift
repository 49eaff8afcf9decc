import Foundation
import Yams

extension RecipeLoader {
    static let prometheusFields = ["scrape_interval", "retention", "port", "binary"]

    static func monitor(_ map: RecipeReader.Map, _ r: RecipeReader, name: String, description: String) -> MonitorRecipe {
        let type = map.value("type").flatMap { r.choice($0, "type", as: MonitorType.self) } ?? .prometheus
        if type == .sampler {
            for key in ["prometheus", "exporters", "queries"] where map.has(key) {
                r.forbid(map, key, "only used by type 'prometheus' (the sampler reads process CPU and memory itself)")
            }
            let interval = map.value("interval").flatMap { positiveDuration($0, "interval", r) } ?? BenchDuration(seconds: 1)
            return MonitorRecipe(name: name, description: description, type: .sampler, interval: interval,
                                 prometheus: nil, exporters: [], queries: [])
        }
        if map.has("interval") {
            r.forbid(map, "interval", "only used by type 'sampler'; Prometheus samples every prometheus.scrape_interval")
        }

        var prometheus = PrometheusSpec()
        if let node = map.value("prometheus"), let m = r.mapping(node, "prometheus", fields: prometheusFields) {
            prometheus = PrometheusSpec(
                scrapeInterval: m.value("scrape_interval").flatMap { positiveDuration($0, "prometheus.scrape_interval", r) } ?? BenchDuration(seconds: 1),
                retention: m.value("retention").flatMap { positiveDuration($0, "prometheus.retention", r) } ?? BenchDuration(seconds: 86_400),
                port: m.value("port").flatMap { r.port($0, "prometheus.port") } ?? .auto,
                binary: m.value("binary").flatMap { r.nonEmptyString($0, "prometheus.binary") } ?? "prometheus")
        }

        var exporters: [ExporterKind] = [.node]
        if let node = map.pairs.first(where: { $0.key == "exporters" })?.value {
            if RecipeReader.isNull(node) {
                exporters = [.node]  // an empty value means the default, as everywhere; `[]` means none
            } else if case .sequence(let items) = node {
                exporters = []
                for (index, item) in items.enumerated() {
                    guard let kind = r.choice(item, "exporters[\(index)]", as: ExporterKind.self) else { continue }
                    if exporters.contains(kind) {
                        r.report(item, "exporters[\(index)]", "'\(kind.rawValue)' is listed twice")
                    } else {
                        exporters.append(kind)
                    }
                }
            } else {
                r.expected("a list of exporter names (\(ExporterKind.allCases.map(\.rawValue).joined(separator: ", ")))", node, "exporters")
            }
        }

        var queries: [NamedQuery] = []
        if let node = map.value("queries"),
           let pairs = r.stringMap(node, "queries", what: "a mapping of query names to PromQL", keyRule: .identifier) {
            for pair in pairs {
                let path = "queries.\(pair.key)"
                guard !pair.value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                    r.report(pair.valueNode, path, "must not be empty")
                    continue
                }
                if let problem = promQLBracketProblem(pair.value) {
                    r.report(pair.valueNode, path, problem)
                    continue
                }
                queries.append(NamedQuery(name: pair.key, promql: pair.value))
            }
        }

        return MonitorRecipe(name: name, description: description, type: .prometheus, interval: prometheus.scrapeInterval,
                             prometheus: prometheus, exporters: exporters, queries: queries)
    }

    /// A cheap sanity check of a PromQL expression: brackets balanced outside string literals.
    static func promQLBracketProblem(_ query: String) -> String? {
        let pairs: [Character: Character] = [")": "(", "]": "[", "}": "{"]
        var stack: [Character] = []
        var quote: Character?
        var escaped = false
        for character in query {
            if let open = quote {
                if escaped { escaped = false } else if character == "\\" { escaped = true } else if character == open { quote = nil }
                continue
            }
            switch character {
            case "\"", "'", "`": quote = character
            case "(", "[", "{": stack.append(character)
            case ")", "]", "}":
                guard stack.last == pairs[character] else { return "PromQL has an unmatched '\(character)'" }
                stack.removeLast()
            default: break
            }
        }
        if quote != nil { return "PromQL has an unterminated string" }
        if let open = stack.last { return "PromQL has an unclosed '\(open)'" }
        return nil
    }
}
