import Foundation
import Yams

extension RecipeLoader {
    static let execFields = ["command", "setup", "package", "metrics", "requests_metric", "latency_log", "settings", "grace"]
    static let execMetricFields = ["regex", "json", "merge"]
    static let execLatencyLogFields = ["files", "latency_column", "lag_column", "unit"]

    /// `params` of an exec client. Placeholders are checked against the target's port name and the
    /// recipe's own settings, with the exec forms (`{{duration_s}}`, `{{run_dir}}`, …).
    static func execParams(_ m: RecipeReader.Map?, _ r: RecipeReader, paramsNode: Node?, portName: String) -> ExecParams {
        guard let m else {
            r.report(paramsNode ?? Node(""), "params.command", "missing required field (the tool an exec client runs, as an argv list)")
            return ExecParams(command: ["true"])
        }
        var settings: [String: String] = [:]
        if let node = m.value("settings"),
           let pairs = r.stringMap(node, "params.settings", what: "a mapping of setting names to default values", keyRule: .identifier) {
            for pair in pairs { settings[pair.key] = pair.value }
        }
        func templatedArgv(_ node: Node, _ path: String) -> [String]? {
            guard let items = r.argv(node, path) else { return nil }
            for (index, item) in items.enumerated() {
                r.checkPlaceholders(item.value, node: item.node, path: "\(path)[\(index)]", ports: [portName], settings: Array(settings.keys),
                                    fixed: RecipePlaceholders.execFixedNames, validForms: RecipePlaceholders.execValidForms)
            }
            return items.map(\.value)
        }

        let command = r.required(m, "command").flatMap { templatedArgv($0, "params.command") } ?? ["true"]
        var setup: [[String]] = []
        if let node = m.value("setup") {
            if case .sequence(let sequence) = node {
                for (index, item) in sequence.enumerated() {
                    if let argv = templatedArgv(item, "params.setup[\(index)]") { setup.append(argv) }
                }
            } else {
                r.expected("a list of commands (each an argv list)", node, "params.setup")
            }
        }
        let package = m.value("package").flatMap { r.nonEmptyString($0, "params.package") }

        var metrics: [ExecMetric] = []
        if let node = m.value("metrics"), let map = r.mapping(node, "params.metrics", fields: nil, what: "a mapping of metric names to {regex: …} or {json: …}") {
            for pair in map.pairs {
                let path = map.childPath(pair.key)
                guard RecipeReader.NameRule.identifier.accepts(pair.key) else {
                    r.report(pair.keyNode, path, RecipeReader.NameRule.identifier.problem)
                    continue
                }
                guard let spec = r.mapping(pair.value, path, fields: execMetricFields, what: "{regex: PATTERN} or {json: PATH}") else { continue }
                let merge = spec.value("merge").flatMap { r.choice($0, "\(path).merge", as: ExecMetric.Merge.self) } ?? .sum
                switch (spec.value("regex"), spec.value("json")) {
                case (let regex?, nil):
                    guard let pattern = r.nonEmptyString(regex, "\(path).regex") else { continue }
                    do {
                        let compiled = try NSRegularExpression(pattern: pattern, options: [.anchorsMatchLines])
                        guard compiled.numberOfCaptureGroups >= 1 else {
                            r.report(regex, "\(path).regex", "needs a capture group around the number, e.g. 'tps = ([0-9.]+)'")
                            continue
                        }
                    } catch {
                        r.report(regex, "\(path).regex", "'\(pattern)' is not a valid regular expression")
                        continue
                    }
                    metrics.append(ExecMetric(name: pair.key, source: .regex(pattern), merge: merge))
                case (nil, let json?):
                    guard let jsonPath = r.nonEmptyString(json, "\(path).json") else { continue }
                    metrics.append(ExecMetric(name: pair.key, source: .json(jsonPath), merge: merge))
                default:
                    r.report(pair.value, path, "give exactly one of 'regex' (a pattern with one capture group) or 'json' (a dotted path)")
                }
            }
        }
        let requestsMetric = m.value("requests_metric").flatMap { r.nonEmptyString($0, "params.requests_metric") }
        if let name = requestsMetric, !metrics.contains(where: { $0.name == name }), let node = m.value("requests_metric") {
            let names = metrics.map(\.name)
            r.report(node, "params.requests_metric", "'\(name)' is not one of params.metrics"
                + (names.isEmpty ? " (none are declared)" : "\(Suggestions.didYouMean(name, in: names)) (declared: \(names.joined(separator: ", ")))"))
        }

        var latencyLog: ExecLatencyLog?
        if let node = m.value("latency_log"), let log = r.mapping(node, "params.latency_log", fields: execLatencyLogFields) {
            let files = r.required(log, "files").flatMap { r.nonEmptyString($0, "params.latency_log.files") }
            if let files, let filesNode = log.value("files") {
                r.checkPlaceholders(files, node: filesNode, path: "params.latency_log.files", ports: [portName], settings: Array(settings.keys),
                                    fixed: RecipePlaceholders.execFixedNames, validForms: RecipePlaceholders.execValidForms)
            }
            let column = r.required(log, "latency_column").flatMap { r.int($0, "params.latency_log.latency_column", min: 1) }
            let lag = log.value("lag_column").flatMap { r.int($0, "params.latency_log.lag_column", min: 1) }
            let unit = log.value("unit").flatMap { r.choice($0, "params.latency_log.unit", as: ExecLatencyLog.Unit.self) } ?? .us
            if let files, let column { latencyLog = ExecLatencyLog(files: files, latencyColumn: column, lagColumn: lag, unit: unit) }
        }
        let grace = m.value("grace").flatMap { r.duration($0, "params.grace") } ?? BenchDuration(seconds: 30)
        return ExecParams(command: command, setup: setup, package: package, metrics: metrics, requestsMetric: requestsMetric,
                          latencyLog: latencyLog, settings: settings, grace: grace)
    }
}
