#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Frames HTTP/1.x responses from raw bytes: status line, headers (only the few that frame the
/// body), and a body by `Content-Length`, chunked transfer-encoding or end of stream.
///
/// Works on whatever bytes have arrived: a response split across reads resumes where it stopped (a
/// partial line is left unconsumed for the caller to offer again with more), and several responses
/// in one read come out one per call.
struct HTTPResponseParser {
    enum Outcome {
        case needMore
        case complete(status: Int, bytes: Int, close: Bool)
        case invalid
    }

    private enum State: UInt8 {
        case statusLine, headers, body, chunkSize, chunkData, trailers, untilClose
    }

    private var state = State.statusLine
    private var remaining = 0
    private var head = HTTPHead()
    private var bytes = 0

    /// True between responses (nothing of the next one seen yet).
    var isIdle: Bool { state == .statusLine && bytes == 0 }

    /// Parses from the start of `buffer`; returns what it found and how many bytes it consumed.
    /// `noBody`: the request was HEAD, so no response has a body whatever its headers say.
    mutating func parse(_ buffer: UnsafeRawBufferPointer, noBody: Bool) -> (Outcome, Int) {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return (.needMore, 0) }
        let count = buffer.count
        var pos = 0
        while true {
            switch state {
            case .body:
                let n = min(remaining, count - pos)
                pos += n
                remaining -= n
                bytes += n
                if remaining == 0 { return (finish(), pos) }
                return (.needMore, pos)
            case .chunkData:
                let n = min(remaining, count - pos)
                pos += n
                remaining -= n
                bytes += n
                if remaining > 0 { return (.needMore, pos) }
                state = .chunkSize
            case .untilClose:
                bytes += count - pos
                return (.needMore, count)
            case .statusLine, .headers, .chunkSize, .trailers:
                guard let newline = memchr(base + pos, 0x0A, count - pos) else { return (.needMore, pos) }
                let lineEnd = base.distance(to: UnsafeRawPointer(newline))
                let line = UnsafeRawBufferPointer(start: base + pos, count: lineEnd - pos)
                let length = line.count > 0 && line[line.count - 1] == 0x0D ? line.count - 1 : line.count
                let lineBytes = lineEnd + 1 - pos
                pos = lineEnd + 1
                if state == .statusLine && length == 0 { continue }  // a stray CRLF between responses
                bytes += lineBytes
                switch state {
                case .statusLine:
                    guard length >= 12, HTTPBytes.hasPrefix(line, "HTTP/1."),
                          let code = HTTPBytes.threeDigits(line, at: 9) else { return (.invalid, pos) }
                    head.status = code
                    head.http10 = line[7] == UInt8(ascii: "0")
                    state = .headers
                case .headers:
                    if length > 0 {
                        guard head.read(header: UnsafeRawBufferPointer(rebasing: line[0..<length])) else { return (.invalid, pos) }
                        continue
                    }
                    if head.isInterim {
                        // An interim response (100 Continue): the real one follows.
                        resetResponse(keepingBytes: true)
                        continue
                    }
                    switch head.body(noBody: noBody) {
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
                        state = .trailers
                    } else {
                        remaining = size + 2  // the data and its CRLF
                        state = .chunkData
                    }
                case .trailers:
                    if length == 0 { return (finish(), pos) }
                default:
                    break
                }
            }
        }
    }

    /// The peer closed the connection: completes a response delimited by the close.
    mutating func endOfStream() -> Outcome {
        if state == .untilClose { return finish() }
        if isIdle { return .needMore }
        return .invalid
    }

    private mutating func finish() -> Outcome {
        let outcome = Outcome.complete(status: head.status, bytes: bytes, close: head.close)
        resetResponse(keepingBytes: false)
        return outcome
    }

    private mutating func resetResponse(keepingBytes: Bool) {
        state = .statusLine
        remaining = 0
        head = HTTPHead()
        if !keepingBytes { bytes = 0 }
    }
}
