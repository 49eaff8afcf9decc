#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Finds the ids of a query's answer in its raw bytes, as the rows they name.
///
/// The answer is `{"ids":[["12","7",…]],…}`. Scanned, not decoded: a decoder would build a dictionary, arrays and
/// strings per answer for the few ids read here; the ids' quotes are found exactly because an id can hold no
/// quote (bench writes row numbers; JSONL ids with quotes or backslashes are refused when read).
enum ChromaAnswerScanner {
    /// Reads the rows the first answer list in `bytes` (an HTTP response: head and body) names into `rows` (an id
    /// that names no row is -1); false when the bytes hold no `"ids"` list. `lookup` maps ids that are not row numbers.
    static func rows(in bytes: UnsafeRawBufferPointer, lookup: [String: Int32]?, into rows: inout [Int32]) -> Bool {
        rows.removeAll(keepingCapacity: true)
        guard let base = bytes.baseAddress, bytes.count > 0 else { return false }
        let count = bytes.count
        guard var pos = find(Array("\"ids\"".utf8), in: bytes) else { return false }
        pos += 5
        // Up to the inner list: `:[[`, spaces allowed.
        var brackets = 0
        while pos < count && brackets < 2 {
            let b = bytes[pos]
            if b == UInt8(ascii: "[") { brackets += 1 } else if b != UInt8(ascii: ":") && !isSpace(b) { return false }
            pos += 1
        }
        guard brackets == 2 else { return false }
        while pos < count {
            let b = bytes[pos]
            if b == UInt8(ascii: "]") { return true }
            if b == UInt8(ascii: ",") || isSpace(b) {
                pos += 1
                continue
            }
            guard b == UInt8(ascii: "\""), let close = memchr(base + pos + 1, Int32(UInt8(ascii: "\"")), count - pos - 1) else { return false }
            let end = base.distance(to: UnsafeRawPointer(close))
            rows.append(row(of: UnsafeRawBufferPointer(rebasing: bytes[(pos + 1)..<end]), lookup: lookup) ?? -1)
            pos = end + 1
        }
        return false
    }

    /// The row an id names: its decimal value, or the lookup's entry.
    @inline(__always)
    static func row(of id: UnsafeRawBufferPointer, lookup: [String: Int32]?) -> Int32? {
        if let lookup { return lookup[String(decoding: id, as: UTF8.self)] }
        guard !id.isEmpty, id.count <= 10 else { return nil }
        var value: Int64 = 0
        for b in id {
            guard b >= 48 && b <= 57 else { return nil }
            value = value * 10 + Int64(b - 48)
        }
        return value <= Int64(Int32.max) ? Int32(value) : nil
    }

    @inline(__always)
    private static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 }

    /// The offset of `needle` in `bytes`.
    private static func find(_ needle: [UInt8], in bytes: UnsafeRawBufferPointer) -> Int? {
        guard let base = bytes.baseAddress, bytes.count >= needle.count else { return nil }
        var from = 0
        while from + needle.count <= bytes.count {
            guard let hit = memchr(base + from, Int32(needle[0]), bytes.count - from - needle.count + 1) else { return nil }
            let at = base.distance(to: UnsafeRawPointer(hit))
            if memcmp(base + at, needle, needle.count) == 0 { return at }
            from = at + 1
        }
        return nil
    }
}
