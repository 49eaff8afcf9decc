/// What an HTTP/1.x response's status line and headers say about how its body is framed and whether
/// the connection stays open; shared by the plain response parser and the SSE stream parser, which
/// frame bodies the same way and differ only in what they do with the bytes.
struct HTTPHead {
    var status = 0
    /// -1: no `Content-Length`.
    var contentLength = -1
    var chunked = false
    /// The server closes the connection after this response.
    var close = false
    var keepAlive = false
    var http10 = false

    /// An interim response (100 Continue and the like): the real one follows on the same connection.
    var isInterim: Bool { status >= 100 && status < 200 && status != 101 }

    /// How a response's body is delimited.
    enum Body {
        case none, chunked, length(Int), untilClose
    }

    /// How the body is delimited, once the head has ended (`noBody`: the request was HEAD). Marks the
    /// connection as closing when HTTP/1.0 did not ask to keep it, or when the body runs to the close.
    mutating func body(noBody: Bool) -> Body {
        if http10 && !keepAlive { close = true }
        if noBody || status == 204 || status == 304 { return .none }
        if chunked { return .chunked }
        if contentLength >= 0 { return contentLength == 0 ? .none : .length(contentLength) }
        close = true
        return .untilClose
    }

    /// Reads one header line (without its CRLF); only the headers that frame the body matter. False
    /// when one of them is malformed.
    mutating func read(header line: UnsafeRawBufferPointer) -> Bool {
        switch line[0] | 0x20 {
        case UInt8(ascii: "c"):
            if HTTPBytes.hasPrefixIgnoringCase(line, "content-length:") {
                var value = 0
                var digits = 0
                for byte in line[15...] where byte != 0x20 && byte != 0x09 {
                    guard byte >= 0x30 && byte <= 0x39, digits < 18 else { return false }
                    value = value * 10 + Int(byte - 0x30)
                    digits += 1
                }
                guard digits > 0 else { return false }
                contentLength = value
            } else if HTTPBytes.hasPrefixIgnoringCase(line, "connection:") {
                let value = UnsafeRawBufferPointer(rebasing: line[11...])
                if HTTPBytes.containsIgnoringCase(value, "close") { close = true }
                if HTTPBytes.containsIgnoringCase(value, "keep-alive") { keepAlive = true }
            }
        case UInt8(ascii: "t"):
            if HTTPBytes.hasPrefixIgnoringCase(line, "transfer-encoding:"),
               HTTPBytes.containsIgnoringCase(UnsafeRawBufferPointer(rebasing: line[18...]), "chunked") {
                chunked = true
            }
        default:
            break
        }
        return true
    }
}
