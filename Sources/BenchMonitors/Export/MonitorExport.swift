import BenchCore
import Foundation

/// Turns named queries over a window into export files and run summaries.
public enum MonitorExport {
    /// The export schema name written into every JSON export.
    public static let schema = "bench.monitor/1"
    /// Prometheus refuses range queries of more than 11,000 points per series.
    public static let maxPoints = 10_000

    /// The step for a window: the sampling interval, widened so no series exceeds `maxPoints`.
    public static func step(window: TimeWindow, interval: BenchDuration) -> Double {
        Swift.max(interval.seconds, window.duration / Double(maxPoints), 0.001)
    }

    /// `base` followed by those of `extra` whose names are new (a same-named extra replaces the base one).
    public static func merge(_ base: [NamedQuery], _ extra: [NamedQuery]) -> [NamedQuery] {
        let extraNames = Set(extra.map(\.name))
        return base.filter { !extraNames.contains($0.name) } + extra
    }

    /// Writes `results` to `path` atomically.
    public static func write(_ results: [NamedQueryResult], window: TimeWindow, format: MonitorExportFormat,
                             to path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        try FileWriting.writeAtomically(render(results, window: window, format: format), to: path)
    }

    /// The file's bytes.
    public static func render(_ results: [NamedQueryResult], window: TimeWindow, format: MonitorExportFormat) throws -> Data {
        switch format {
        case .json: return try json(results, window: window)
        case .csv: return Data(csv(results).utf8)
        }
    }

    /// Mean, max and last of every series of every query.
    public static func summarize(_ results: [NamedQueryResult], window: TimeWindow) -> MonitorSummary {
        var queries: [String: QuerySummary] = [:]
        for result in results {
            queries[result.name] = QuerySummary(promql: result.promql, series: result.series.compactMap(SeriesSummary.init),
                                                error: result.error)
        }
        return MonitorSummary(window: window, queries: queries)
    }

    // MARK: formats

    private struct Document: Encodable {
        let schema: String
        let window: Window
        let queries: [String: Query]
    }

    private struct Window: Encodable {
        let start: String
        let end: String
        let start_unix: Double
        let end_unix: Double
    }

    private struct Query: Encodable {
        let promql: String
        let series: [MetricSeries]
        let error: String?
    }

    static func json(_ results: [NamedQueryResult], window: TimeWindow) throws -> Data {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        var queries: [String: Query] = [:]
        for result in results {
            queries[result.name] = Query(promql: result.promql, series: result.series, error: result.error)
        }
        let document = Document(
            schema: schema,
            window: Window(start: formatter.string(from: window.start), end: formatter.string(from: window.end),
                           start_unix: window.start.timeIntervalSince1970, end_unix: window.end.timeIntervalSince1970),
            queries: queries)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var data = try encoder.encode(document)
        data.append(UInt8(ascii: "\n"))
        return data
    }

    static func csv(_ results: [NamedQueryResult]) -> String {
        var out = "name,labels,timestamp,value\n"
        for result in results {
            for series in result.series {
                let labels = csvField(series.labelText)
                let name = csvField(result.name)
                for sample in series.values {
                    out += "\(name),\(labels),\(String(format: "%.3f", sample.time)),\(MetricSample.formatValue(sample.value))\n"
                }
            }
        }
        return out
    }

    static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
