import Foundation
import Yams

extension RecipeLoader {
    static let targetFields = ["service", "port"]
    static let workloadFields = ["mode", "concurrency", "rate", "arrival", "duration", "requests", "warmup", "seed"]
    static let sloFields = ["ttft_ms", "tpot_ms", "e2e_ms", "e2el_ms", "p99_ms"]
    static let paramFields: [ClientKind: [String]] = [
        .http: ["method", "path", "headers", "body", "body_file", "expect_status"],
        .redis: ["command", "ratio", "keyspace", "value_size", "pipeline"],
        .memcached: ["command", "ratio", "keyspace", "key_prefix", "value_size", "pipeline", "ttl"],
        .openai: ["endpoint", "model", "max_tokens", "temperature", "ignore_eos", "dataset", "input_len", "output_len",
                  "range_ratio", "dataset_path", "api_key_env"],
        .chroma: ChromaParams.fieldNames,
        .exec: execFields,
    ]
    static let httpMethods = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]

    static func client(_ map: RecipeReader.Map, _ r: RecipeReader, name: String, description: String) -> ClientRecipe {
        let kind = r.required(map, "kind").flatMap { r.choice($0, "kind", as: ClientKind.self) }

        // target: `service` shorthand or {service, port}; an exec client may target nothing.
        var target: ClientTarget?
        if let node = map.value("target") {
            if case .scalar = node {
                if let service = r.nonEmptyString(node, "target") { target = ClientTarget(service: service) }
            } else if let m = r.mapping(node, "target", fields: targetFields, what: "a mapping with 'service' and 'port' (or a service name)") {
                let service = r.required(m, "service").flatMap { r.nonEmptyString($0, "target.service") } ?? ""
                let port = m.value("port").flatMap { r.nonEmptyString($0, "target.port") } ?? "main"
                target = ClientTarget(service: service, port: port)
            }
        } else if kind != .exec {
            _ = r.required(map, "target")
        }

        let workload = map.value("workload").flatMap { workloadSpec($0, r) } ?? WorkloadSpec()

        var params = ClientParams.exec(ExecParams(command: ["true"]))
        let paramsMap = map.value("params").flatMap { r.mapping($0, "params", fields: kind.flatMap { paramFields[$0] }) }
        switch kind {
        case .http?: params = .http(httpParams(paramsMap, r))
        case .redis?: params = .redis(redisParams(paramsMap, r))
        case .memcached?: params = .memcached(memcachedParams(paramsMap, r))
        case .openai?: params = .openai(openAIParams(paramsMap, r))
        case .chroma?: params = .chroma(chromaParams(paramsMap, r))
        case .exec?:
            if paramsMap != nil || map.value("params") == nil {
                params = .exec(execParams(paramsMap, r, paramsNode: map.keyNode("params") ?? map.node, portName: target?.port ?? "main"))
            }
        case nil: break
        }

        var slo = SLOSpec()
        if let node = map.value("slo"), let m = r.mapping(node, "slo", fields: sloFields) {
            func ms(_ key: String) -> Double? { m.value(key).flatMap { r.number($0, "slo.\(key)", above: 0) } }
            if m.has("e2e_ms"), m.has("e2el_ms") {
                r.forbid(m, "e2el_ms", "give either 'e2e_ms' or 'e2el_ms' (the same objective), not both")
            }
            slo = SLOSpec(ttftMs: ms("ttft_ms"), tpotMs: ms("tpot_ms"), e2elMs: ms("e2e_ms") ?? ms("e2el_ms"), p99Ms: ms("p99_ms"))
        }

        return ClientRecipe(name: name, description: description, kind: kind ?? .exec, target: target,
                            workload: workload, params: params, slo: slo)
    }

    static func workloadSpec(_ node: Node, _ r: RecipeReader) -> WorkloadSpec? {
        guard let m = r.mapping(node, "workload", fields: workloadFields) else { return nil }
        let mode = m.value("mode").flatMap { r.choice($0, "workload.mode", as: WorkloadMode.self) } ?? .closed
        let rate = m.value("rate").flatMap { r.number($0, "workload.rate", above: 0) }
        if mode == .open, !m.has("rate") {
            r.report(m.node, "workload.rate", "missing required field (requests per second, required when mode is 'open')")
        }
        if mode == .closed {
            r.forbid(m, "rate", "only used when mode is 'open' (a closed loop sends as fast as 'concurrency' allows)")
            if m.has("arrival") { r.forbid(m, "arrival", "only used when mode is 'open'") }
        }
        return WorkloadSpec(
            mode: mode,
            concurrency: m.value("concurrency").flatMap { r.int($0, "workload.concurrency", min: 1) } ?? 10,
            rate: rate,
            arrival: m.value("arrival").flatMap { r.choice($0, "workload.arrival", as: ArrivalProcess.self) } ?? .constant,
            duration: m.value("duration").flatMap { positiveDuration($0, "workload.duration", r) } ?? BenchDuration(seconds: 10),
            requests: m.value("requests").flatMap { r.int($0, "workload.requests", min: 1) },
            warmup: m.value("warmup").flatMap { r.duration($0, "workload.warmup") } ?? BenchDuration(seconds: 0),
            seed: m.value("seed").flatMap { r.int($0, "workload.seed", min: 0) }.map(UInt64.init) ?? 1)
    }

    static func httpParams(_ m: RecipeReader.Map?, _ r: RecipeReader) -> HTTPParams {
        guard let m else { return HTTPParams() }
        var method = "GET"
        if let node = m.value("method"), let value = r.string(node, "params.method") {
            if httpMethods.contains(value.uppercased()) {
                method = value.uppercased()
            } else {
                r.report(node, "params.method", "'\(value)' is not one of \(httpMethods.joined(separator: ", "))"
                    + Suggestions.didYouMean(value.uppercased(), in: httpMethods))
            }
        }
        var headers: [String: String] = [:]
        if let node = m.value("headers"), let pairs = r.stringMap(node, "params.headers", what: "a mapping of header names to values") {
            for pair in pairs { headers[pair.key] = pair.value }
        }
        if m.has("body"), m.has("body_file") {
            r.forbid(m, "body_file", "give either 'body' or 'body_file', not both")
        }
        return HTTPParams(
            method: method,
            path: m.value("path").flatMap { urlPath($0, "params.path", r) } ?? "/",
            headers: headers,
            body: m.value("body").flatMap { r.string($0, "params.body") },
            bodyFile: m.value("body_file").flatMap { r.nonEmptyString($0, "params.body_file") },
            expectStatus: m.value("expect_status").flatMap { r.int($0, "params.expect_status", min: 100, max: 599) } ?? 200)
    }

    static func redisParams(_ m: RecipeReader.Map?, _ r: RecipeReader) -> RedisParams {
        guard let m else { return RedisParams() }
        let kv = keyValueParams(m, r)
        return RedisParams(command: kv.command, ratio: kv.ratio, keyspace: kv.keyspace, valueSize: kv.valueSize, pipeline: kv.pipeline)
    }

    static func memcachedParams(_ m: RecipeReader.Map?, _ r: RecipeReader) -> MemcachedParams {
        guard let m else { return MemcachedParams() }
        let kv = keyValueParams(m, r)
        var keyPrefix = "key:"
        if let node = m.value("key_prefix"), let text = r.string(node, "params.key_prefix") {
            if let problem = MemcachedParams.keyPrefixProblem(text, keyspace: kv.keyspace) {
                r.report(node, "params.key_prefix", problem)
            } else {
                keyPrefix = text
            }
        }
        var ttl = 0
        if let node = m.value("ttl"), let duration = r.duration(node, "params.ttl") {
            if let problem = MemcachedParams.ttlProblem(duration) { r.report(node, "params.ttl", problem) } else { ttl = Int(duration.seconds) }
        }
        return MemcachedParams(command: kv.command, ratio: kv.ratio, keyspace: kv.keyspace, keyPrefix: keyPrefix,
                               valueSize: kv.valueSize, pipeline: kv.pipeline, ttl: ttl)
    }

    /// The fields redis and memcached clients share, read the same way for both.
    private static func keyValueParams(_ m: RecipeReader.Map, _ r: RecipeReader)
        -> (command: RedisCommandMix, ratio: RedisRatio, keyspace: Int, valueSize: ByteSize, pipeline: Int)
    {
        let command = m.value("command").flatMap { r.choice($0, "params.command", as: RedisCommandMix.self) } ?? .get
        var ratio = RedisRatio(sets: 1, gets: 10)
        if let node = m.value("ratio") {
            if command != .mixed {
                r.forbid(m, "ratio", "only used when command is 'mixed'")
            } else if let text = r.string(node, "params.ratio") {
                let parts = text.split(separator: ":", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
                if parts.count == 2, let sets = parts[0], let gets = parts[1], sets >= 0, gets >= 0, sets + gets > 0 {
                    ratio = RedisRatio(sets: sets, gets: gets)
                } else {
                    r.report(node, "params.ratio", "'\(text)' is not a ratio; write SET:GET counts such as '1:10'")
                }
            }
        }
        var valueSize = ByteSize(bytes: 64)
        if let node = m.value("value_size"), let size = r.size(node, "params.value_size") {
            if size.bytes < 1 { r.report(node, "params.value_size", "must be at least 1 byte") } else { valueSize = size }
        }
        let depths = ClientParams.pipelineDepths
        return (command, ratio,
                m.value("keyspace").flatMap { r.int($0, "params.keyspace", min: 1) } ?? 10_000,
                valueSize,
                m.value("pipeline").flatMap { r.int($0, "params.pipeline", min: depths.lowerBound, max: depths.upperBound) } ?? 1)
    }

    static func openAIParams(_ m: RecipeReader.Map?, _ r: RecipeReader) -> OpenAIParams {
        guard let m else { return OpenAIParams() }
        let dataset = m.value("dataset").flatMap { r.choice($0, "params.dataset", as: OpenAIDataset.self) } ?? .random
        var datasetPath: String?
        if dataset == .random {
            r.forbid(m, "dataset_path", "only used when dataset is 'file' or 'sharegpt'")
        } else if let node = r.required(m, "dataset_path") {
            datasetPath = r.nonEmptyString(node, "params.dataset_path")
        }
        var apiKeyEnv: String?
        if let node = m.value("api_key_env"), let value = r.string(node, "params.api_key_env") {
            if RecipeReader.NameRule.environment.accepts(value) { apiKeyEnv = value } else {
                r.report(node, "params.api_key_env", "'\(value)' is \(RecipeReader.NameRule.environment.problem)")
            }
        }
        return OpenAIParams(
            endpoint: m.value("endpoint").flatMap { r.choice($0, "params.endpoint", as: OpenAIEndpoint.self) } ?? .chat,
            model: m.value("model").flatMap { r.nonEmptyString($0, "params.model") },
            maxTokens: m.value("max_tokens").flatMap { r.int($0, "params.max_tokens", min: 1) } ?? 64,
            temperature: m.value("temperature").flatMap { r.number($0, "params.temperature", min: 0) } ?? 0,
            ignoreEOS: m.value("ignore_eos").flatMap { r.bool($0, "params.ignore_eos") } ?? false,
            dataset: dataset,
            inputLen: m.value("input_len").flatMap { r.int($0, "params.input_len", min: 1) } ?? 128,
            outputLen: m.value("output_len").flatMap { r.int($0, "params.output_len", min: 1) } ?? 64,
            rangeRatio: m.value("range_ratio").flatMap { r.number($0, "params.range_ratio", min: 0, max: 1) } ?? 0,
            datasetPath: datasetPath,
            apiKeyEnv: apiKeyEnv)
    }

    /// Every field goes through `ChromaParams.set(_:to:)`, which `--set` uses too: one set of rules for both.
    static func chromaParams(_ m: RecipeReader.Map?, _ r: RecipeReader) -> ChromaParams {
        var params = ChromaParams()
        guard let m else { return params }
        for (key, _, node) in m.pairs where !RecipeReader.isNull(node) {
            let path = "params.\(key)"
            var text: String?
            if key == "phases", case .sequence = node {
                text = r.stringList(node, path, hint: " (load, query, mixed)")?.map(\.value).joined(separator: ",")
            } else if case .scalar(let scalar) = node {
                text = scalar.string
            } else {
                r.expected("a value", node, path)
            }
            guard let text else { continue }
            do throws(ChromaParams.FieldError) {
                try params.set(key, to: text)
            } catch {
                r.report(node, path, error.message)
            }
        }
        if !r.hasErrors, let problem = params.problem {
            // "dataset_path: required …": reported at the params mapping, naming the field.
            let field = String(problem.prefix { $0 != ":" })
            r.report(m.keyNode(field) ?? m.node, "params.\(field)", String(problem.dropFirst(field.count + 2)))
        }
        return params
    }
}
