import BenchCore
import Foundation

/// Reads a tool's per-request log (pgbench `-l`) into bench's histograms, so an exec run has the
/// same latency percentiles as a native one and its parts on several nodes merge exactly.
enum ExecLatencyLogReader {
    /// The log files matching `pattern` (one `*` in the file name), sorted.
    static func files(matching pattern: String) -> [String] {
        let url = URL(fileURLWithPath: pattern)
        let directory = url.deletingLastPathComponent().path
        let namePattern = url.lastPathComponent
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
        return names.filter { fnmatch(namePattern, $0, 0) == 0 }.sorted().map { directory + "/" + $0 }
    }

    /// Every line's latency (service time), latency plus lag (response time) and lag (sender lag).
    /// A line without the column or with a non-number there is an error naming the file and line.
    static func read(_ log: ExecLatencyLog, files: [String]) throws -> AggregateSnapshot {
        var snapshot = AggregateSnapshot()
        for file in files {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                throw BenchError("latency log \(file): cannot be read")
            }
            var lineNumber = 0
            for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
                lineNumber += 1
                let columns = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
                if columns.isEmpty { continue }
                func micros(_ column: Int, _ what: String) throws -> UInt64 {
                    guard column <= columns.count, let value = Double(columns[column - 1]), value >= 0 else {
                        throw BenchError("latency log \(file):\(lineNumber): column \(column) (\(what)) is not a number: '\(line)'")
                    }
                    return UInt64(min(value * log.unit.micros, Double(LatencyHistograms.highest)).rounded())
                }
                // pgbench writes 'failed' or 'skipped' where a transaction has no time: a failed request, not a bad line.
                if log.latencyColumn <= columns.count, columns[log.latencyColumn - 1] == "failed" || columns[log.latencyColumn - 1] == "skipped" {
                    snapshot.errors[columns[log.latencyColumn - 1] == "failed" ? .status : .unsent, default: 0] += 1
                    if columns[log.latencyColumn - 1] == "failed" { snapshot.sent += 1 }
                    continue
                }
                let latency = try micros(log.latencyColumn, "latency")
                let lag = try log.lagColumn.map { try micros($0, "lag") } ?? 0
                snapshot.serviceTime.record(latency)
                snapshot.responseTime.record(min(latency + lag, LatencyHistograms.highest))
                if log.lagColumn != nil { snapshot.senderLag.record(lag) }
                snapshot.sent += 1
                snapshot.completed += 1
                snapshot.ok += 1
            }
        }
        return snapshot
    }
}
