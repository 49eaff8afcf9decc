#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import BenchCore

/// Frames memcached text-protocol replies to `get` and `set`, resuming across reads like `RESPReplyParser`:
/// `VALUE <key> <flags> <bytes>[ <cas>]` blocks up to `END` (a hit; `END` alone is a miss), `STORED`, and the
/// error lines `ERROR`, `CLIENT_ERROR …`, `SERVER_ERROR …`.
///
/// A line is consumed only once its LF has arrived; a VALUE block's data is skipped as it arrives, however
/// the reads split it, without looking inside (it may hold CR LF); the CR LF after it is checked.
struct MemcachedReplyParser {
    enum Outcome: Equatable {
        case needMore
        /// One reply, complete. `reply`: what a successful one said; nil for an error line (`isError`) or an
        /// answer a plain `get`/`set` is not given (`NOT_STORED`, `EXISTS`, `NOT_FOUND`), which count as errors too.
        case complete(reply: CacheReplyCounts.Reply?, isError: Bool, bytes: Int)
        case invalid
    }

    /// Bytes of a VALUE block's data still to skip; 0 when not inside one.
    private var dataRemaining = 0
    /// The data just skipped must be followed by CR LF (an empty line): a VALUE line whose length was wrong
    /// shows here, wherever the reads split the data.
    private var dataEnds = false
    /// VALUE blocks of the reply in progress (a `get` of one key has at most one).
    private var values = 0
    /// Bytes of the reply in progress consumed so far.
    private var bytes = 0

    var isIdle: Bool { dataRemaining == 0 && values == 0 }

    mutating func parse(_ buffer: UnsafeRawBufferPointer) -> (Outcome, Int) {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return (.needMore, 0) }
        let count = buffer.count
        var pos = 0
        while true {
            if dataRemaining > 0 {
                let n = min(dataRemaining, count - pos)
                pos += n
                dataRemaining -= n
                bytes += n
                if dataRemaining > 0 { return (.needMore, pos) }
                continue
            }
            guard let newline = memchr(base + pos, 0x0A, count - pos) else { return (.needMore, pos) }
            let lineEnd = base.distance(to: UnsafeRawPointer(newline))
            var end = lineEnd
            if end > pos && base.load(fromByteOffset: end - 1, as: UInt8.self) == 0x0D { end -= 1 }
            let line = UnsafeRawBufferPointer(start: base + pos, count: end - pos)
            bytes += lineEnd + 1 - pos
            pos = lineEnd + 1
            if dataEnds {
                guard line.isEmpty, end < lineEnd else { return (.invalid, pos) }
                dataEnds = false
                continue
            }
            switch Self.classify(line) {
            case .value:
                guard let size = Self.valueSize(line) else { return (.invalid, pos) }
                values += 1
                dataRemaining = size
                dataEnds = true
            case .end:
                return (finish(values > 0 ? .getHit : .getMiss, isError: false), pos)
            case .stored:
                guard values == 0 else { return (.invalid, pos) }
                return (finish(.setStored, isError: false), pos)
            case .error, .unexpected:
                guard values == 0 else { return (.invalid, pos) }
                return (finish(nil, isError: true), pos)
            case .unknown:
                return (.invalid, pos)
            }
        }
    }

    private mutating func finish(_ reply: CacheReplyCounts.Reply?, isError: Bool) -> Outcome {
        let outcome = Outcome.complete(reply: reply, isError: isError, bytes: bytes)
        values = 0
        bytes = 0
        return outcome
    }

    private enum LineKind { case value, end, stored, error, unexpected, unknown }

    /// What a reply line (without its CR LF) is, by its first word.
    @inline(__always)
    private static func classify(_ line: UnsafeRawBufferPointer) -> LineKind {
        guard let first = line.first else { return .unknown }
        switch first {
        case UInt8(ascii: "V"): return starts(line, "VALUE ") ? .value : .unknown
        case UInt8(ascii: "E"):
            if equals(line, "END") { return .end }
            if equals(line, "ERROR") || starts(line, "ERROR ") { return .error }
            return equals(line, "EXISTS") ? .unexpected : .unknown
        case UInt8(ascii: "S"):
            if equals(line, "STORED") { return .stored }
            return starts(line, "SERVER_ERROR") ? .error : .unknown
        case UInt8(ascii: "C"): return starts(line, "CLIENT_ERROR") ? .error : .unknown
        case UInt8(ascii: "N"): return equals(line, "NOT_STORED") || equals(line, "NOT_FOUND") ? .unexpected : .unknown
        default: return .unknown
        }
    }

    @inline(__always)
    private static func starts(_ line: UnsafeRawBufferPointer, _ word: StaticString) -> Bool {
        line.count >= word.utf8CodeUnitCount && memcmp(line.baseAddress!, word.utf8Start, word.utf8CodeUnitCount) == 0
    }

    @inline(__always)
    private static func equals(_ line: UnsafeRawBufferPointer, _ word: StaticString) -> Bool {
        line.count == word.utf8CodeUnitCount && memcmp(line.baseAddress!, word.utf8Start, word.utf8CodeUnitCount) == 0
    }

    /// The data length of `VALUE <key> <flags> <bytes>[ <cas>]`: its fourth word.
    private static func valueSize(_ line: UnsafeRawBufferPointer) -> Int? {
        var i = 6  // after "VALUE "
        var spaces = 0
        while i < line.count && spaces < 2 {
            if line[i] == UInt8(ascii: " ") { spaces += 1 }
            i += 1
        }
        guard spaces == 2 else { return nil }
        var value = 0
        var digits = 0
        while i < line.count && line[i] != UInt8(ascii: " ") {
            let d = line[i] &- 0x30
            guard d <= 9, digits < 12 else { return nil }
            value = value * 10 + Int(d)
            digits += 1
            i += 1
        }
        return digits > 0 ? value : nil
    }
}
