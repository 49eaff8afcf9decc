import BenchCore
import BenchPlacement
import Foundation

/// The `log` probe: a line of the instance's output matches.
extension ReadinessProber {
    /// Beyond this much output after the start offset, only the most recent part is searched.
    static let maxLogScanBytes = 32 << 20

    static func probeLog(pattern: LogPattern, files: [(name: String, path: String, offset: Int64)]) -> ProbeResult {
        let matches: (Substring) -> Bool
        let shown: String
        switch pattern {
        case .text(let text):
            shown = "'\(text)'"
            matches = { $0.contains(text) }
        case .regex(let expression):
            shown = "/\(expression)/"
            guard let regex = try? NSRegularExpression(pattern: expression) else {
                return .notReady("invalid regular expression /\(expression)/")
            }
            matches = { line in
                let text = String(line)
                return regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
            }
        }
        for file in files {
            guard let content = LogTail.read(path: file.path, from: file.offset, maxBytes: maxLogScanBytes) else {
                continue  // not created yet: the service has written nothing
            }
            // Line by line, so `^` and `$` of a regex mean the start and end of a line.
            for line in content.split(separator: "\n", omittingEmptySubsequences: true) where matches(line) {
                return .ready
            }
        }
        let where_ = files.map(\.name).joined(separator: " or ")
        return .notReady("no line matching \(shown) yet in \(where_)")
    }
}
