import BenchCore
import BenchNetwork
import Foundation

/// Queries a Prometheus over its HTTP API (`/api/v1/query`, `/query_range`, `/targets`).
///
/// Errors carry Prometheus' own text (`bad_data: 1:6: parse error: …`), so invalid PromQL reads
/// the same as in Prometheus' UI.
public struct PrometheusClient: Sendable {
    public let host: String
    public let port: Int
    let http: SlowHTTPClient

    public init(host: String = "127.0.0.1", port: Int, timeout: Duration = .seconds(30)) {
        self.host = host
        self.port = port
        // 64 MiB of answer plus room for the head, the limit errors have always named.
        self.http = SlowHTTPClient(timeout: timeout, maxResponseBytes: (64 << 20) + 64 * 1024)
    }

    /// `http://host:port`.
    public var baseURL: String { "http://\(host.contains(":") ? "[\(host)]" : host):\(port)" }

    /// Evaluates `promql` at `time` (now when nil).
    public func query(_ promql: String, at time: Date? = nil) async throws -> InstantQueryResult {
        var parameters = [("query", promql)]
        if let time { parameters.append(("time", Self.format(time))) }
        let data = try await call("/api/v1/query", parameters)
        let decoded = try decode(QueryData.self, data)
        switch decoded.resultType {
        case "vector":
            let rows = try decode([VectorRow].self, decoded.result)
            return .vector(rows.map { VectorSample(labels: $0.metric, sample: $0.value) })
        case "matrix":
            return .matrix(try decode([MatrixRow].self, decoded.result).map { MetricSeries(labels: $0.metric, values: $0.values) })
        case "scalar":
            return .scalar(try decode(MetricSample.self, decoded.result))
        case "string":
            let pair = try decode(StringPair.self, decoded.result)
            return .string(pair.text, time: pair.time)
        default:
            throw BenchError("prometheus returned an unknown result type '\(decoded.resultType)'")
        }
    }

    /// Evaluates `promql` from `start` to `end` every `step` seconds: one series per label set.
    public func queryRange(_ promql: String, start: Date, end: Date, step: Double) async throws -> [MetricSeries] {
        guard step > 0 else { throw BenchError("the step of a range query must be positive") }
        let data = try await call("/api/v1/query_range", [
            ("query", promql), ("start", Self.format(start)), ("end", Self.format(end)),
            ("step", String(format: "%.3f", step)),
        ])
        let decoded = try decode(QueryData.self, data)
        guard decoded.resultType == "matrix" else {
            throw BenchError("prometheus returned '\(decoded.resultType)' for a range query")
        }
        return try decode([MatrixRow].self, decoded.result).map { MetricSeries(labels: $0.metric, values: $0.values) }
    }

    /// The active targets and their health.
    public func targets() async throws -> [ScrapeTarget] {
        let data = try await call("/api/v1/targets", [("state", "active")])
        let decoded = try decode(TargetsData.self, data)
        return decoded.activeTargets.map { row in
            ScrapeTarget(labels: row.labels ?? [:], scrapePool: row.scrapePool ?? "", scrapeURL: row.scrapeUrl ?? "",
                         health: ScrapeTarget.Health(rawValue: row.health ?? "unknown") ?? .unknown,
                         lastError: row.lastError ?? "", lastScrape: row.lastScrape.flatMap(Self.parseDate),
                         lastScrapeDuration: row.lastScrapeDuration)
        }
    }

    /// True when `/-/ready` answers 200.
    public func isReady() async -> Bool {
        (try? await http.get(host: host, port: port, path: "/-/ready").status) == 200
    }

    // MARK: plumbing

    /// GETs an API path and returns the `data` member of a `"status": "success"` envelope.
    private func call(_ path: String, _ parameters: [(String, String)]) async throws -> Data {
        let query = parameters.map { "\($0.0)=\(Self.percentEncode($0.1))" }.joined(separator: "&")
        let response: HTTPResponse
        do {
            response = try await http.get(host: host, port: port, path: path + (query.isEmpty ? "" : "?" + query))
        } catch {
            throw BenchError("prometheus at \(baseURL) did not answer: \(error)")
        }
        let body = Data(response.body)
        guard let envelope = try? JSONDecoder().decode(Envelope.self, from: body) else {
            throw BenchError("prometheus at \(baseURL)\(path) answered HTTP \(response.status): \(response.text.prefix(300))")
        }
        guard envelope.status == "success", let data = envelope.data else {
            let kind = envelope.errorType.map { "\($0): " } ?? ""
            throw BenchError("prometheus: \(kind)\(envelope.error ?? "HTTP \(response.status)")")
        }
        return try JSONEncoder().encode(data)
    }

    private func decode<T: Decodable>(_ type: T.Type, _ data: Data) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch {
            throw BenchError("cannot read prometheus' answer: \(error)")
        }
    }

    private func decode<T: Decodable>(_ type: T.Type, _ value: JSONValue) throws -> T {
        try decode(type, try JSONEncoder().encode(value))
    }

    static func format(_ date: Date) -> String { String(format: "%.3f", date.timeIntervalSince1970) }

    static func percentEncode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics.intersection(CharacterSet(charactersIn: Unicode.Scalar(0)...Unicode.Scalar(127)))
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    static func parseDate(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }

    private struct Envelope: Decodable {
        let status: String
        let data: JSONValue?
        let errorType: String?
        let error: String?
    }

    private struct QueryData: Decodable {
        let resultType: String
        let result: JSONValue
    }

    private struct VectorRow: Decodable {
        let metric: [String: String]
        let value: MetricSample
    }

    private struct MatrixRow: Decodable {
        let metric: [String: String]
        let values: [MetricSample]
    }

    private struct StringPair: Decodable {
        let time: Double
        let text: String
        init(from decoder: Decoder) throws {
            var container = try decoder.unkeyedContainer()
            time = try container.decode(Double.self)
            text = try container.decode(String.self)
        }
    }

    private struct TargetsData: Decodable {
        let activeTargets: [TargetRow]
    }

    private struct TargetRow: Decodable {
        let labels: [String: String]?
        let scrapePool: String?
        let scrapeUrl: String?
        let health: String?
        let lastError: String?
        let lastScrape: String?
        let lastScrapeDuration: Double?
    }
}
