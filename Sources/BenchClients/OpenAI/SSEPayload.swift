#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One event's data (a JSON chunk of an OpenAI-compatible stream, or `[DONE]`), read by scanning for keys.
///
/// A key is `"name"` followed by optional whitespace and a colon; inside JSON strings quotes are escaped, so such a
/// match is always a real key (possibly of a nested object, which the readers below allow for).
struct SSEPayload {
    private var bytes: UnsafeRawBufferPointer

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    var isEmpty: Bool { bytes.count == 0 }

    mutating func trim() {
        var start = 0
        var end = bytes.count
        while start < end, Self.isSpace(bytes[start]) { start += 1 }
        while end > start, Self.isSpace(bytes[end - 1]) { end -= 1 }
        bytes = UnsafeRawBufferPointer(rebasing: bytes[start..<end])
    }

    var isDone: Bool {
        bytes.count == 6 && memcmp(bytes.baseAddress!, "[DONE]", 6) == 0
    }

    /// A chunk with generated text: a non-empty string under `content` (chat delta), `text` (completions), or a
    /// reasoning model's `reasoning_content` / `reasoning`.
    var carriesContent: Bool {
        nonEmptyString("\"content\"") || nonEmptyString("\"text\"") || nonEmptyString("\"reasoning_content\"")
            || nonEmptyString("\"reasoning\"")
    }

    /// An error event in place of a chunk: `{"error": …}` (llama.cpp, OpenAI) or `"object": "error"` (vLLM).
    var isError: Bool {
        guard valueStart(of: "\"choices\"", from: 0) == nil else { return false }
        return valueStart(of: "\"error\"", from: 0) != nil || stringValue(of: "\"object\"", equals: "\"error\"")
    }

    /// `usage.completion_tokens` and `usage.prompt_tokens` when the event carries a usage object (not `null`).
    func usage() -> (Int?, Int?)? {
        guard let start = valueStart(of: "\"usage\"", from: 0), bytes[start] == UInt8(ascii: "{") else { return nil }
        return (integer(of: "\"completion_tokens\"", from: start), integer(of: "\"prompt_tokens\"", from: start))
    }

    // MARK: Scanning

    /// Where the value of the first key `quotedKey` at or after `from` starts (after the colon and whitespace).
    private func valueStart(of quotedKey: StaticString, from: Int) -> Int? {
        var from = from
        while let at = find(quotedKey, from: from) {
            var i = at + quotedKey.utf8CodeUnitCount
            while i < bytes.count, Self.isSpace(bytes[i]) { i += 1 }
            if i < bytes.count, bytes[i] == UInt8(ascii: ":") {
                i += 1
                while i < bytes.count, Self.isSpace(bytes[i]) { i += 1 }
                if i < bytes.count { return i }
                return nil
            }
            from = at + 1
        }
        return nil
    }

    /// Whether some key `quotedKey` has a string value that is not empty.
    private func nonEmptyString(_ quotedKey: StaticString) -> Bool {
        var from = 0
        while let start = valueStart(of: quotedKey, from: from) {
            if bytes[start] == UInt8(ascii: "\""), start + 1 < bytes.count, bytes[start + 1] != UInt8(ascii: "\"") {
                return true
            }
            from = start
        }
        return false
    }

    private func stringValue(of quotedKey: StaticString, equals quotedValue: StaticString) -> Bool {
        guard let start = valueStart(of: quotedKey, from: 0) else { return false }
        let n = quotedValue.utf8CodeUnitCount
        return bytes.count - start >= n && memcmp(bytes.baseAddress! + start, quotedValue.utf8Start, n) == 0
    }

    private func integer(of quotedKey: StaticString, from: Int) -> Int? {
        guard var i = valueStart(of: quotedKey, from: from) else { return nil }
        var value = 0
        var digits = 0
        while i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39, digits < 18 {
            value = value * 10 + Int(bytes[i] - 0x30)
            digits += 1
            i += 1
        }
        return digits > 0 ? value : nil
    }

    /// The first occurrence of `needle` at or after `from` (memchr for its first byte, then memcmp).
    private func find(_ needle: StaticString, from: Int) -> Int? {
        guard let base = bytes.baseAddress else { return nil }
        let n = needle.utf8CodeUnitCount
        let first = Int32(needle.utf8Start[0])
        var from = from
        while bytes.count - from >= n {
            guard let hit = memchr(base + from, first, bytes.count - from - n + 1) else { return nil }
            let at = base.distance(to: UnsafeRawPointer(hit))
            if memcmp(base + at, needle.utf8Start, n) == 0 { return at }
            from = at + 1
        }
        return nil
    }

    @inline(__always)
    private static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A }
}
