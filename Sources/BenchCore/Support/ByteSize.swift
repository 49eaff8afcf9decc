/// An amount of memory or data as users write it: `512`, `64KB`, `4GiB`, `1.5G`.
public struct ByteSize: Sendable, Hashable, CustomStringConvertible {
    public var bytes: Int64

    public init(bytes: Int64) { self.bytes = bytes }

    public static let acceptedForms = "a byte count or a number with a unit (B, KB, MB, GB, TB, KiB, MiB, GiB, TiB)"

    /// Parses a size; nil when the text is not one. Decimal units are powers of 1000, binary units of 1024.
    public init?(parsing text: String) {
        let s = text.trimmingCharacters(in: .whitespaces)
        let digits = s.prefix { $0.isNumber || $0 == "." }
        guard !digits.isEmpty, let number = Double(digits), number >= 0 else { return nil }
        let unit = s.dropFirst(digits.count).trimmingCharacters(in: .whitespaces).lowercased()
        let factors: [String: Double] = [
            "": 1, "b": 1,
            "k": 1e3, "kb": 1e3, "m": 1e6, "mb": 1e6, "g": 1e9, "gb": 1e9, "t": 1e12, "tb": 1e12,
            "kib": 1024, "mib": 1_048_576, "gib": 1_073_741_824, "tib": 1_099_511_627_776,
        ]
        guard let factor = factors[unit] else { return nil }
        let value = number * factor
        guard value.isFinite, value < Double(Int64.max) else { return nil }
        bytes = Int64(value.rounded())
    }

    public var description: String {
        let units: [(String, Double)] = [("TiB", 1_099_511_627_776), ("GiB", 1_073_741_824), ("MiB", 1_048_576), ("KiB", 1024)]
        for (name, size) in units where Double(bytes) >= size {
            let value = Double(bytes) / size
            return value == value.rounded() ? "\(Int(value))\(name)" : String(format: "%.1f", value) + name
        }
        return "\(bytes)B"
    }
}

import Foundation
