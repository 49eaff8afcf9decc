import Foundation

/// A length of time as users write it: `500ms`, `30s`, `5m`, `1h30m`, `2d`, or SLURM's `[D-]HH:MM:SS`.
public struct BenchDuration: Sendable, Hashable, Comparable, CustomStringConvertible, Codable {
    public var seconds: Double

    public init(seconds: Double) { self.seconds = seconds }

    public static func < (l: BenchDuration, r: BenchDuration) -> Bool { l.seconds < r.seconds }

    /// The units accepted after a number, for error messages.
    public static let acceptedForms = "a number with a unit (ms, s, m, h, d; e.g. 500ms, 30s, 5m, 1h30m) or [D-]HH:MM:SS"

    /// Parses a duration; nil when the text is not one. A bare number means seconds.
    public init?(parsing text: String) {
        let s = text.trimmingCharacters(in: .whitespaces)
        guard !s.isEmpty else { return nil }
        if s.contains(":") {
            guard let value = BenchDuration.parseClock(s) else { return nil }
            self.seconds = value
            return
        }
        if let plain = Double(s), plain.isFinite, plain >= 0 {
            self.seconds = plain
            return
        }
        var total = 0.0
        var index = s.startIndex
        var sawComponent = false
        while index < s.endIndex {
            let numberStart = index
            while index < s.endIndex, s[index].isNumber || s[index] == "." { index = s.index(after: index) }
            guard numberStart < index, let number = Double(s[numberStart..<index]) else { return nil }
            let unitStart = index
            while index < s.endIndex, s[index].isLetter || s[index] == "µ" { index = s.index(after: index) }
            let unit = s[unitStart..<index].lowercased()
            let factor: Double
            switch unit {
            case "us", "µs": factor = 1e-6
            case "ms": factor = 1e-3
            case "s", "sec", "secs": factor = 1
            case "m", "min", "mins": factor = 60
            case "h", "hr", "hrs": factor = 3600
            case "d", "day", "days": factor = 86_400
            default: return nil
            }
            total += number * factor
            sawComponent = true
        }
        guard sawComponent, total.isFinite else { return nil }
        self.seconds = total
    }

    /// SLURM time formats: MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS.
    private static func parseClock(_ s: String) -> Double? {
        var days = 0.0
        var rest = Substring(s)
        if let dash = s.firstIndex(of: "-") {
            guard let d = Double(s[..<dash]) else { return nil }
            days = d
            rest = s[s.index(after: dash)...]
        }
        let parts = rest.split(separator: ":", omittingEmptySubsequences: false).map { Double($0) }
        guard !parts.contains(where: { $0 == nil }), (1...3).contains(parts.count) else { return nil }
        let p = parts.map { $0! }
        guard p.allSatisfy({ $0 >= 0 }) else { return nil }
        let clock: Double
        switch (p.count, days > 0 || s.contains("-")) {
        case (3, _): clock = p[0] * 3600 + p[1] * 60 + p[2]
        case (2, true): clock = p[0] * 3600 + p[1] * 60
        case (2, false): clock = p[0] * 60 + p[1]
        case (1, true): clock = p[0] * 3600
        default: return nil
        }
        return days * 86_400 + clock
    }

    /// The shortest exact spelling in bench's own syntax (`90s` becomes `1m30s`).
    public var description: String {
        let millis = Int((seconds * 1000).rounded())
        if millis == 0 { return "0s" }
        if millis % 1000 != 0 { return "\(millis)ms" }
        var rest = millis / 1000
        var out = ""
        for (unit, size) in [("d", 86_400), ("h", 3600), ("m", 60), ("s", 1)] where rest >= size {
            out += "\(rest / size)\(unit)"
            rest %= size
        }
        return out
    }

    /// SLURM's `--time` spelling, `[D-]HH:MM:SS`, rounded up to whole seconds.
    public var slurmTime: String {
        var total = Int(seconds.rounded(.up))
        let days = total / 86_400
        total %= 86_400
        let clock = String(format: "%02d:%02d:%02d", total / 3600, (total % 3600) / 60, total % 60)
        return days > 0 ? "\(days)-\(clock)" : clock
    }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let parsed = BenchDuration(parsing: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a duration: \(text)"))
        }
        self = parsed
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}
