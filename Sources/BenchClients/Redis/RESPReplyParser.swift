#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Frames RESP2 replies: simple strings, errors, integers, bulk strings (nil included) and arrays
/// (nested too), resuming across reads like `HTTPResponseParser`.
struct RESPReplyParser {
    enum Outcome {
        case needMore
        /// `isError`: the reply was an error (`-ERR …`).
        case complete(isError: Bool, bytes: Int)
        case invalid
    }

    /// Items still to read for the reply in progress (0: between replies). An array of n items
    /// replaces its own slot with n.
    private var pendingItems = 0
    /// Bytes of a bulk string's payload and its CRLF still to skip; 0 when not inside one.
    private var bulkRemaining = 0
    private var isError = false
    private var bytes = 0

    var isIdle: Bool { pendingItems == 0 && bulkRemaining == 0 }

    mutating func parse(_ buffer: UnsafeRawBufferPointer) -> (Outcome, Int) {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return (.needMore, 0) }
        let count = buffer.count
        var pos = 0
        while true {
            if bulkRemaining > 0 {
                let n = min(bulkRemaining, count - pos)
                pos += n
                bulkRemaining -= n
                bytes += n
                if bulkRemaining > 0 { return (.needMore, pos) }
                if let done = itemDone() { return (done, pos) }
                continue
            }
            guard let newline = memchr(base + pos, 0x0A, count - pos) else { return (.needMore, pos) }
            let lineEnd = base.distance(to: UnsafeRawPointer(newline))
            let line = UnsafeRawBufferPointer(start: base + pos, count: lineEnd - pos)
            bytes += lineEnd + 1 - pos
            pos = lineEnd + 1
            guard line.count >= 2 else { return (.invalid, pos) }  // type byte and CR at least
            if pendingItems == 0 { pendingItems = 1 }
            switch line[0] {
            case UInt8(ascii: "+"), UInt8(ascii: ":"):
                if let done = itemDone() { return (done, pos) }
            case UInt8(ascii: "-"):
                isError = true
                if let done = itemDone() { return (done, pos) }
            case UInt8(ascii: "$"):
                guard let n = Self.integer(line) else { return (.invalid, pos) }
                if n < 0 {
                    if let done = itemDone() { return (done, pos) }
                } else {
                    bulkRemaining = n + 2
                }
            case UInt8(ascii: "*"):
                guard let n = Self.integer(line) else { return (.invalid, pos) }
                if n <= 0 {
                    if let done = itemDone() { return (done, pos) }
                } else {
                    pendingItems += n - 1
                }
            default:
                return (.invalid, pos)
            }
        }
    }

    private mutating func itemDone() -> Outcome? {
        pendingItems -= 1
        guard pendingItems == 0 else { return nil }
        let outcome = Outcome.complete(isError: isError, bytes: bytes)
        isError = false
        bytes = 0
        return outcome
    }

    /// The signed decimal after the type byte, up to the CR.
    private static func integer(_ line: UnsafeRawBufferPointer) -> Int? {
        var end = line.count
        if line[end - 1] == 0x0D { end -= 1 }
        var i = 1
        var negative = false
        if i < end && line[i] == UInt8(ascii: "-") {
            negative = true
            i += 1
        }
        guard i < end, end - i <= 18 else { return nil }
        var value = 0
        while i < end {
            let d = line[i] &- 0x30
            guard d <= 9 else { return nil }
            value = value * 10 + Int(d)
            i += 1
        }
        return negative ? -value : value
    }
}
