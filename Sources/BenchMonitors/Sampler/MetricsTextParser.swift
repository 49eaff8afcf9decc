/// Parses the Prometheus text exposition format (version 0.0.4), as exporters serve it.
///
/// Counters, gauges and untyped samples are kept, and so are summaries' quantiles and the
/// `_sum`/`_count` of summaries and histograms; histogram `_bucket` lines are dropped (dozens
/// of series per histogram, and the sampler answers no `histogram_quantile`). Sample
/// timestamps in the text are ignored: the sampler stamps each scrape with its own clock.
public enum MetricsTextParser {
    /// One sample line.
    public struct Sample: Sendable, Equatable {
        public let name: String
        public let labels: [String: String]
        public let value: Double
    }

    /// The samples of `text`; malformed lines are skipped (one bad line must not lose a scrape).
    public static func parse(_ text: String) -> [Sample] {
        var histograms = Set<String>()
        var samples: [Sample] = []
        for rawLine in text.split(whereSeparator: { $0 == "\n" || $0 == "\r" }) {
            let line = rawLine.drop(while: { $0 == " " || $0 == "\t" })
            if line.isEmpty { continue }
            if line.first == "#" {
                // "# TYPE name histogram"
                let words = line.split(separator: " ", omittingEmptySubsequences: true)
                if words.count >= 4, words[1] == "TYPE", words[3] == "histogram" { histograms.insert(String(words[2])) }
                continue
            }
            guard let sample = parseSample(line) else { continue }
            if sample.name.hasSuffix("_bucket"), histograms.contains(String(sample.name.dropLast(7))) { continue }
            samples.append(sample)
        }
        return samples
    }

    static func parseSample(_ line: Substring) -> Sample? {
        var index = line.startIndex
        while index < line.endIndex, line[index] != "{", line[index] != " ", line[index] != "\t" {
            index = line.index(after: index)
        }
        let name = String(line[line.startIndex..<index])
        guard !name.isEmpty else { return nil }
        var labels: [String: String] = [:]
        if index < line.endIndex, line[index] == "{" {
            index = line.index(after: index)
            guard let parsed = parseLabels(line, from: &index) else { return nil }
            labels = parsed
        }
        let rest = line[index...].split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard let valueText = rest.first, let value = MetricSample.parseValue(valueText) else { return nil }
        return Sample(name: name, labels: labels, value: value)
    }

    /// Parses `a="x",b="y"}` starting after the `{`; leaves `index` after the `}`.
    private static func parseLabels(_ line: Substring, from index: inout Substring.Index) -> [String: String]? {
        var labels: [String: String] = [:]
        func skipSpaces() {
            while index < line.endIndex, line[index] == " " || line[index] == "," { index = line.index(after: index) }
        }
        while true {
            skipSpaces()
            guard index < line.endIndex else { return nil }
            if line[index] == "}" {
                index = line.index(after: index)
                return labels
            }
            let nameStart = index
            while index < line.endIndex, line[index] != "=", line[index] != " " { index = line.index(after: index) }
            let key = String(line[nameStart..<index])
            while index < line.endIndex, line[index] == " " || line[index] == "=" { index = line.index(after: index) }
            guard index < line.endIndex, line[index] == "\"" else { return nil }
            index = line.index(after: index)
            var value = ""
            while true {
                guard index < line.endIndex else { return nil }
                let character = line[index]
                index = line.index(after: index)
                if character == "\"" { break }
                if character == "\\", index < line.endIndex {
                    let escaped = line[index]
                    index = line.index(after: index)
                    switch escaped {
                    case "n": value.append("\n")
                    default: value.append(escaped)
                    }
                } else {
                    value.append(character)
                }
            }
            guard !key.isEmpty else { return nil }
            labels[key] = value
        }
    }
}
