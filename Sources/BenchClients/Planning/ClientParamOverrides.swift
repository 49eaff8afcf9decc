import BenchCore

/// `--set KEY=VALUE` on `client run`: overrides of a recipe's kind-specific parameters, validated like the recipe.
public enum ClientParamOverrides {
    public static func apply(_ sets: [(String, String)], to params: ClientParams) throws -> ClientParams {
        guard !sets.isEmpty else { return params }
        switch params {
        case .http(let p):
            var method = p.method, path = p.path, headers = p.headers, body = p.body, expect = p.expectStatus
            for (key, value) in sets {
                switch key {
                case "method": method = value.uppercased()
                case "path":
                    guard value.hasPrefix("/") else { throw invalid(key, value, "a path starting with /") }
                    path = value
                case "body": body = value
                case "expect_status":
                    guard let n = Int(value), (100...599).contains(n) else { throw invalid(key, value, "an HTTP status 100 to 599") }
                    expect = n
                case _ where key.hasPrefix("header."): headers[String(key.dropFirst(7))] = value
                default: throw unknown(key, ["method", "path", "body", "expect_status", "header.NAME"])
                }
            }
            return .http(HTTPParams(method: method, path: path, headers: headers, body: body, bodyFile: p.bodyFile, expectStatus: expect))
        case .redis(let p):
            var command = p.command, ratio = p.ratio, keyspace = p.keyspace, size = p.valueSize, pipeline = p.pipeline
            for (key, value) in sets {
                switch key {
                case "command": command = try commandMix(key, value)
                case "ratio": ratio = try setGetRatio(key, value)
                case "keyspace": keyspace = try keyCount(key, value)
                case "value_size": size = try valueSize(key, value)
                case "pipeline": pipeline = try pipelineDepth(key, value)
                default: throw unknown(key, ["command", "ratio", "keyspace", "value_size", "pipeline"])
                }
            }
            return .redis(RedisParams(command: command, ratio: ratio, keyspace: keyspace, valueSize: size, pipeline: pipeline))
        case .memcached(let p):
            var command = p.command, ratio = p.ratio, keyspace = p.keyspace, prefix = p.keyPrefix, size = p.valueSize
            var pipeline = p.pipeline, ttl = p.ttl
            var prefixGiven = false
            for (key, value) in sets {
                switch key {
                case "command": command = try commandMix(key, value)
                case "ratio": ratio = try setGetRatio(key, value)
                case "keyspace": keyspace = try keyCount(key, value)
                case "key_prefix":
                    prefix = value
                    prefixGiven = true
                case "value_size": size = try valueSize(key, value)
                case "pipeline": pipeline = try pipelineDepth(key, value)
                case "ttl":
                    guard let duration = BenchDuration(parsing: value), MemcachedParams.ttlProblem(duration) == nil else {
                        let most = MemcachedParams.ttlSeconds.upperBound
                        throw invalid(key, value, "whole seconds from 0 to \(most) (30 days; memcached reads a longer expiry as a Unix timestamp), "
                            + "or a duration such as 60s or 1h")
                    }
                    ttl = Int(duration.seconds)
                default: throw unknown(key, ["command", "ratio", "keyspace", "key_prefix", "value_size", "pipeline", "ttl"])
                }
            }
            // Checked once every pair is in: a larger key space makes longer keys of the same prefix.
            if let problem = MemcachedParams.keyPrefixProblem(prefix, keyspace: keyspace) {
                let given = prefixGiven ? "key_prefix=\(prefix)" : "keyspace=\(keyspace)"
                throw BenchError.usage("client run: --set \(given): \(problem)")
            }
            return .memcached(MemcachedParams(command: command, ratio: ratio, keyspace: keyspace, keyPrefix: prefix, valueSize: size,
                                              pipeline: pipeline, ttl: ttl))
        case .exec(let p):
            // An exec recipe's parameters are its own settings, the {{set.KEY}} of its command.
            var replaced: [String: String] = [:]
            for (key, value) in sets {
                guard p.settings[key] != nil else { throw unknown(key, p.settings.keys.sorted()) }
                replaced[key] = value
            }
            return .exec(p.with(settings: replaced))
        case .chroma(var p):
            for (key, value) in sets {
                do throws(ChromaParams.FieldError) {
                    try p.set(key, to: value)
                } catch {
                    throw ChromaParams.fieldNames.contains(key) ? invalid(key, value, error.message) : BenchError.usage("client run: --set \(key): \(error.message)")
                }
            }
            if let problem = p.problem { throw BenchError.usage("client run: --set: params.\(problem)") }
            return .chroma(p)
        default:
            throw BenchError.usage("client run: --set is not supported for this client kind yet")
        }
    }

    // The parameters redis and memcached share, checked alike for both.

    private static func commandMix(_ key: String, _ value: String) throws -> RedisCommandMix {
        guard let command = RedisCommandMix(rawValue: value) else { throw invalid(key, value, "get, set or mixed") }
        return command
    }

    private static func setGetRatio(_ key: String, _ value: String) throws -> RedisRatio {
        let parts = value.split(separator: ":").compactMap { Int($0) }
        guard parts.count == 2, parts.allSatisfy({ $0 >= 0 }), parts.reduce(0, +) > 0 else { throw invalid(key, value, "SETS:GETS, e.g. 1:10") }
        return RedisRatio(sets: parts[0], gets: parts[1])
    }

    private static func keyCount(_ key: String, _ value: String) throws -> Int {
        guard let n = Int(value), n > 0 else { throw invalid(key, value, "a positive number of keys") }
        return n
    }

    private static func valueSize(_ key: String, _ value: String) throws -> ByteSize {
        guard let size = ByteSize(parsing: value) else { throw invalid(key, value, ByteSize.acceptedForms) }
        guard size.bytes > 0 else { throw invalid(key, value, "at least 1 byte") }
        return size
    }

    private static func pipelineDepth(_ key: String, _ value: String) throws -> Int {
        let depths = ClientParams.pipelineDepths
        guard let n = Int(value), depths.contains(n) else { throw invalid(key, value, "a depth from \(depths.lowerBound) to \(depths.upperBound)") }
        return n
    }

    private static func invalid(_ key: String, _ value: String, _ expected: String) -> BenchError {
        // Messages that say what they expect already ("must be at least 1, found 0") are not prefixed again.
        let text = expected.hasPrefix("expected ") || expected.hasPrefix("must ") || expected.hasPrefix("'") ? expected : "expected \(expected)"
        return BenchError.usage("client run: --set \(key)=\(value): \(text)")
    }

    private static func unknown(_ key: String, _ valid: [String]) -> BenchError {
        BenchError.usage("client run: --set \(key): no such parameter\(Suggestions.didYouMean(key, in: valid)) (parameters: \(valid.joined(separator: ", ")))")
    }
}
