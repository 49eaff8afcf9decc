import Foundation

/// Every field of a recipe with its effective value, defaults included, for `server info NAME`.
extension Recipe {
    public var summary: [(field: String, value: String)] {
        var rows: [(field: String, value: String)] = [("name", name), ("description", description.isEmpty ? "(none)" : description)]
        switch self {
        case .server(let recipe): rows += recipe.summaryRows
        case .client(let recipe): rows += recipe.summaryRows
        case .monitor(let recipe): rows += recipe.summaryRows
        }
        return rows
    }
}

/// Words joined for display, quoted the way a POSIX shell would need them.
func shellJoined(_ words: [String]) -> String {
    words.map { word in
        let safe = !word.isEmpty && word.unicodeScalars.allSatisfy {
            $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "-_./:=,+@%{}".unicodeScalars.contains($0))
        }
        return safe ? word : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }.joined(separator: " ")
}

private func sortedRows(_ prefix: String, _ map: [String: String], empty: String = "(none)") -> [(field: String, value: String)] {
    map.isEmpty ? [(prefix, empty)] : map.keys.sorted().map { ("\(prefix).\($0)", map[$0]!) }
}

private func number(_ value: Double) -> String {
    value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
}

extension ServerRecipe {
    var summaryRows: [(field: String, value: String)] {
        var rows: [(field: String, value: String)] = []
        switch service.program {
        case .command(let argv): rows.append(("service.command", shellJoined(argv)))
        case .script(let body):
            let lines = body.split(separator: "\n", omittingEmptySubsequences: true)
            rows.append(("service.script", "shell script, \(lines.count) line\(lines.count == 1 ? "" : "s")"))
        }
        rows.append(("service.workdir", service.workdir))
        rows += sortedRows("env", env)
        rows += ports.isEmpty ? [("ports", "(none)")] : ports.map { ("ports.\($0.name)", $0.value.description) }
        if let container {
            rows.append(("container.image", container.image))
            rows.append(("container.binds", container.binds.isEmpty ? "(none)" : container.binds.joined(separator: ", ")))
            rows.append(("container.gpu", String(container.gpu)))
        } else {
            rows.append(("container", "(none)"))
        }
        if let readiness {
            rows.append(("readiness.type", readiness.check.type.rawValue))
            switch readiness.check {
            case .http(let port, let path, let status, let body):
                rows += [("readiness.port", port), ("readiness.path", path), ("readiness.status", String(status)),
                         ("readiness.body", body ?? "(any)")]
            case .tcp(let port):
                rows.append(("readiness.port", port))
            case .log(let pattern, let stream):
                switch pattern {
                case .text(let text): rows.append(("readiness.line", text))
                case .regex(let regex): rows.append(("readiness.regex", regex))
                }
                rows.append(("readiness.stream", stream.rawValue))
            case .command(let argv):
                rows.append(("readiness.command", shellJoined(argv)))
            }
            rows.append(("readiness.timeout", readiness.timeout.description))
            rows.append(("readiness.interval", readiness.interval.description))
        } else {
            rows.append(("readiness", "(none: ready once the process is running)"))
        }
        if let metrics {
            if let exporter = metrics.exporter {
                rows.append(("metrics.exporter.command", shellJoined(exporter.command)))
                rows.append(("metrics.exporter.port", metrics.port))
                if !exporter.env.isEmpty { rows += sortedRows("metrics.exporter.env", exporter.env) }
            } else {
                rows.append(("metrics.port", metrics.port))
            }
            rows.append(("metrics.path", metrics.path))
        } else {
            rows.append(("metrics", "(none)"))
        }
        rows += [
            ("resources.nodes", String(resources.nodes)),
            ("resources.cpu_cores", String(resources.cpuCores)),
            ("resources.memory_gb", number(resources.memoryGB)),
            ("resources.gpu_count", String(resources.gpuCount)),
            ("resources.time_limit", resources.timeLimit.description),
            ("resources.partition", resources.partition ?? "(cluster default)"),
        ]
        rows += sortedRows("settings", settings)
        return rows
    }
}

extension ClientRecipe {
    var summaryRows: [(field: String, value: String)] {
        var rows: [(field: String, value: String)] = [("kind", kind.rawValue)]
        if let target {
            rows += [("target.service", target.service), ("target.port", target.port)]
        } else {
            rows.append(("target", "(none)"))
        }
        rows += [
            ("workload.mode", workload.mode.rawValue),
            ("workload.concurrency", String(workload.concurrency)),
            ("workload.rate", workload.rate.map { "\(number($0))/s" } ?? "(closed loop)"),
            ("workload.arrival", workload.mode == .open ? workload.arrival.rawValue : "(closed loop)"),
            ("workload.duration", workload.duration.description),
            ("workload.requests", workload.requests.map(String.init) ?? "(no limit)"),
            ("workload.warmup", workload.warmup.description),
            ("workload.seed", String(workload.seed)),
        ]
        switch params {
        case .http(let p):
            rows += [("params.method", p.method), ("params.path", p.path)]
            rows += sortedRows("params.headers", p.headers)
            rows += [("params.body", p.body ?? "(none)"), ("params.body_file", p.bodyFile ?? "(none)"),
                     ("params.expect_status", String(p.expectStatus))]
        case .redis(let p):
            rows += [("params.command", p.command.rawValue)]
            if p.command == .mixed { rows.append(("params.ratio", p.ratio.description)) }
            rows += [("params.keyspace", String(p.keyspace)), ("params.value_size", p.valueSize.description),
                     ("params.pipeline", String(p.pipeline))]
        case .memcached(let p):
            rows += [("params.command", p.command.rawValue)]
            if p.command == .mixed { rows.append(("params.ratio", p.ratio.description)) }
            rows += [("params.keyspace", String(p.keyspace)), ("params.key_prefix", p.keyPrefix.isEmpty ? "(none)" : p.keyPrefix),
                     ("params.value_size", p.valueSize.description), ("params.pipeline", String(p.pipeline)),
                     ("params.ttl", p.ttl == 0 ? "0 (no expiry)" : "\(p.ttl)s")]
        case .openai(let p):
            rows += [
                ("params.endpoint", p.endpoint.rawValue), ("params.model", p.model ?? "(the server's first model)"),
                ("params.max_tokens", String(p.maxTokens)), ("params.temperature", number(p.temperature)),
                ("params.ignore_eos", String(p.ignoreEOS)), ("params.dataset", p.dataset.rawValue),
                ("params.input_len", String(p.inputLen)), ("params.output_len", String(p.outputLen)),
                ("params.range_ratio", number(p.rangeRatio)), ("params.dataset_path", p.datasetPath ?? "(none)"),
                ("params.api_key_env", p.apiKeyEnv ?? "(none)"),
            ]
        case .chroma(let p):
            rows += p.summaryRows.map { ("params.\($0.field)", $0.value) }
        case .exec(let p):
            rows.append(("params.command", shellJoined(p.command)))
            for (index, argv) in p.setup.enumerated() { rows.append(("params.setup[\(index)]", shellJoined(argv))) }
            rows.append(("params.package", p.package ?? "(not named)"))
            for metric in p.metrics {
                let source = switch metric.source {
                case .regex(let pattern): "regex \(pattern)"
                case .json(let path): "json \(path)"
                }
                rows.append(("params.metrics.\(metric.name)", "\(source) (merge: \(metric.merge.rawValue))"))
            }
            rows.append(("params.requests_metric", p.requestsMetric ?? "(none)"))
            if let log = p.latencyLog {
                rows.append(("params.latency_log", "\(log.files), latency in column \(log.latencyColumn)"
                    + (log.lagColumn.map { ", lag in column \($0)" } ?? "") + " (\(log.unit.rawValue))"))
            }
            for (key, value) in p.settings.sorted(by: { $0.key < $1.key }) { rows.append(("params.settings.\(key)", value)) }
            rows.append(("params.grace", p.grace.description))
        }
        if slo.isEmpty {
            rows.append(("slo", "(none)"))
        } else {
            let objectives: [(String, Double?)] = [("ttft_ms", slo.ttftMs), ("tpot_ms", slo.tpotMs), ("e2el_ms", slo.e2elMs), ("p99_ms", slo.p99Ms)]
            for (key, value) in objectives { if let value { rows.append(("slo.\(key)", number(value))) } }
        }
        return rows
    }
}

extension MonitorRecipe {
    var summaryRows: [(field: String, value: String)] {
        var rows: [(field: String, value: String)] = [("type", type.rawValue)]
        if let prometheus {
            rows += [
                ("prometheus.scrape_interval", prometheus.scrapeInterval.description),
                ("prometheus.retention", prometheus.retention.description),
                ("prometheus.port", prometheus.port.description),
                ("prometheus.binary", prometheus.binary),
                ("exporters", exporters.isEmpty ? "(none)" : exporters.map(\.rawValue).joined(separator: ", ")),
            ]
            rows += queries.isEmpty ? [("queries", "(none)")] : queries.map { ("queries.\($0.name)", $0.promql) }
        } else {
            rows.append(("interval", interval.description))
        }
        return rows
    }
}
