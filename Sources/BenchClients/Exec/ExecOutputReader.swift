import BenchCore
import Foundation

/// Reads a recipe's named figures out of what a tool printed.
///
/// A figure that is not there fails the run with the output's tail: a zero-filled success would
/// hide a tool that changed its output format, failed quietly or was given the wrong options.
enum ExecOutputReader {
    /// Each metric's value, in the recipe's order, or the first one that could not be read.
    static func read(_ metrics: [ExecMetric], from output: String, tool: String) throws -> [(String, Double)] {
        var values: [(String, Double)] = []
        var json: Any??
        for metric in metrics {
            switch metric.source {
            case .regex(let pattern):
                guard let value = firstCapture(pattern, in: output) else {
                    throw BenchError("metric '\(metric.name)': no match for /\(pattern)/ in the output of \(tool)\(tail(output))")
                }
                values.append((metric.name, value))
            case .json(let path):
                if json == nil { json = .some(try? JSONSerialization.jsonObject(with: Data(output.utf8), options: [.fragmentsAllowed])) }
                guard let document = json ?? nil else {
                    throw BenchError("metric '\(metric.name)': the output of \(tool) is not JSON\(tail(output))")
                }
                guard let value = number(at: path, in: document) else {
                    throw BenchError("metric '\(metric.name)': no number at '\(path)' in the JSON output of \(tool)\(tail(output))")
                }
                values.append((metric.name, value))
            }
        }
        return values
    }

    /// The number in the first capture group of the first match; thousands separators are dropped.
    static func firstCapture(_ pattern: String, in text: String) -> Double? {
        guard let regex = try? NSRegularExpression(pattern: pattern, options: [.anchorsMatchLines]),
              let match = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)),
              match.numberOfRanges > 1, let range = Range(match.range(at: 1), in: text) else { return nil }
        return Double(text[range].replacingOccurrences(of: ",", with: "").trimmingCharacters(in: .whitespaces))
    }

    /// The number at a dotted path (`a.b[2].c`) of a JSON document; numeric strings count.
    static func number(at path: String, in document: Any) -> Double? {
        var current: Any? = document
        for part in path.split(separator: ".") {
            var name = Substring(part)
            var indexes: [Int] = []
            while let open = name.lastIndex(of: "["), name.hasSuffix("]"), let index = Int(name[name.index(after: open)..<name.index(before: name.endIndex)]) {
                indexes.insert(index, at: 0)
                name = name[..<open]
            }
            if !name.isEmpty { current = (current as? [String: Any])?[String(name)] }
            for index in indexes {
                guard let array = current as? [Any], array.indices.contains(index) else { return nil }
                current = array[index]
            }
        }
        if let number = current as? NSNumber, !(current is Bool) { return number.doubleValue }
        if let text = current as? String { return Double(text) }
        return nil
    }

    /// The output's last lines, for an error message.
    static func tail(_ output: String, lines: Int = 8) -> String {
        let last = output.split(separator: "\n", omittingEmptySubsequences: true).suffix(lines)
        return last.isEmpty ? " (it printed nothing)" : "; its last lines:\n    " + last.joined(separator: "\n    ")
    }
}
