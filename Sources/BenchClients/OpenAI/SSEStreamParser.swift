#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Frames one streamed HTTP/1.1 answer at a time (status line, headers, a body by chunked transfer-encoding,
/// `Content-Length` or end of stream) and reads its body as server-sent events as the bytes arrive: nothing of
/// the body is kept beyond the event being assembled.
///
/// Head lines split across reads are left unconsumed for the caller to offer again (as `HTTPResponseParser`
/// does); body bytes are always consumed, and an event split across reads or HTTP chunks is assembled here.
/// What the events carried is in `stream`, timed with the read each event completed in.
struct SSEStreamParser {
    enum Outcome {
        case needMore
        case complete(status: Int, bytes: Int, close: Bool)
        case invalid
    }

    private enum State: UInt8 {
        case statusLine, headers, body, chunkSize, chunkData, chunkEnd, trailers, untilClose
    }

    private var state = State.statusLine
    private var remaining = 0
    private var head = HTTPHead()
    private var bytes = 0
    /// What the current (or last completed) answer's events carried.
    private(set) var stream = SSEEventStream()

    /// True between answers (nothing of the next one seen yet).
    var isIdle: Bool { state == .statusLine && bytes == 0 }

    /// Parses from the start of `buffer` (bytes that arrived at `now`); returns what it found and how many bytes it
    /// consumed. At most one answer completes per call.
    mutating func parse(_ buffer: UnsafeRawBufferPointer, at now: UInt64) -> (Outcome, Int) {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return (.needMore, 0) }
        let count = buffer.count
        var pos = 0
        while true {
            switch state {
            case .body, .chunkData:
                let n = min(remaining, count - pos)
                body(UnsafeRawBufferPointer(start: base + pos, count: n), at: now)
                pos += n
                remaining -= n
                bytes += n
                if remaining > 0 { return (.needMore, pos) }
                if state == .body {
                    stream.endOfBody(at: now)
                    return (finish(), pos)
                }
                state = .chunkEnd
            case .untilClose:
                body(UnsafeRawBufferPointer(start: base + pos, count: count - pos), at: now)
                bytes += count - pos
                return (.needMore, count)
            case .statusLine, .headers, .chunkSize, .chunkEnd, .trailers:
                guard let newline = memchr(base + pos, 0x0A, count - pos) else { return (.needMore, pos) }
                let lineEnd = base.distance(to: UnsafeRawPointer(newline))
                let line = UnsafeRawBufferPointer(start: base + pos, count: lineEnd - pos)
                let length = line.count > 0 && line[line.count - 1] == 0x0D ? line.count - 1 : line.count
                let lineBytes = lineEnd + 1 - pos
                pos = lineEnd + 1
                if state == .statusLine && length == 0 { continue }  // a stray CRLF between answers
                bytes += lineBytes
                switch state {
                case .statusLine:
                    guard length >= 12, line[0] == UInt8(ascii: "H"), line[4] == UInt8(ascii: "/"),
                          let code = HTTPBytes.threeDigits(line, at: 9) else { return (.invalid, pos) }
                    head.status = code
                    head.http10 = line[7] == UInt8(ascii: "0")
                    // A new answer: its measurements start now (the previous ones have been taken).
                    stream.reset()
                    state = .headers
                case .headers:
                    if length > 0 {
                        guard head.read(header: UnsafeRawBufferPointer(rebasing: line[0..<length])) else { return (.invalid, pos) }
                        continue
                    }
                    if head.isInterim {
                        let kept = bytes
                        resetAnswer()
                        bytes = kept
                        continue
                    }
                    stream.isEventStream = head.status == 200
                    switch head.body(noBody: false) {
                    case .none: return (finish(), pos)
                    case .chunked: state = .chunkSize
                    case .length(let bodyLength):
                        remaining = bodyLength
                        state = .body
                    case .untilClose: state = .untilClose
                    }
                case .chunkSize:
                    guard let size = HTTPBytes.hexPrefix(line, length: length) else { return (.invalid, pos) }
                    if size == 0 {
                        stream.endOfBody(at: now)
                        state = .trailers
                    } else {
                        remaining = size
                        state = .chunkData
                    }
                case .chunkEnd:
                    // The CRLF after a chunk's data.
                    guard length == 0 else { return (.invalid, pos) }
                    state = .chunkSize
                case .trailers:
                    if length == 0 { return (finish(), pos) }
                default:
                    break
                }
            }
        }
    }

    /// The peer closed the connection: completes an answer delimited by the close.
    mutating func endOfStream(at now: UInt64) -> Outcome {
        if state == .untilClose {
            stream.endOfBody(at: now)
            return finish()
        }
        if isIdle { return .needMore }
        return .invalid
    }

    @inline(__always)
    private mutating func body(_ bytes: UnsafeRawBufferPointer, at now: UInt64) {
        // Error answers (429, 500) carry JSON, not events: their bodies are only counted.
        if stream.isEventStream && bytes.count > 0 { stream.feed(bytes, at: now) }
    }

    private mutating func finish() -> Outcome {
        let outcome = Outcome.complete(status: head.status, bytes: bytes, close: head.close)
        resetAnswer()
        return outcome
    }

    private mutating func resetAnswer() {
        state = .statusLine
        remaining = 0
        head = HTTPHead()
        bytes = 0
    }
}
