/// Status, headers and body of an HTTP/1.x response, parsed from raw bytes.
///
/// Hand-parsed rather than with NIOHTTP1: the slow path needs only status, headers and a
/// body framed by Content-Length, chunks or the close, and a readiness probe must be able to
/// judge a cut-off answer (a health page larger than it reads); this parser, moved here from
/// the readiness probe, already did that, and it keeps NIOHTTP1 out of the build.
public struct HTTPResponse: Sendable, Equatable {
    public let status: Int
    /// Header values by lower-cased name (the last one wins).
    public let headers: [String: String]
    /// The decoded body (chunked transfer coding removed), possibly cut short.
    public let body: [UInt8]
    /// True when the whole body arrived: by Content-Length, the last chunk, or the close of a
    /// body framed by the close.
    public let isComplete: Bool

    public init(status: Int, headers: [String: String] = [:], body: [UInt8], isComplete: Bool) {
        self.status = status
        self.headers = headers
        self.body = body
        self.isComplete = isComplete
    }

    /// The body as UTF-8 text.
    public var text: String { String(decoding: body, as: UTF8.self) }

    /// Parses what has arrived so far; nil until the status line and headers are complete or
    /// when they are not HTTP. `endOfStream`: the server closed the connection after `bytes`.
    public static func parse(_ bytes: [UInt8], endOfStream: Bool) -> HTTPResponse? {
        guard let head = HTTPResponseHead.parse(bytes) else { return nil }
        let raw = Array(bytes[head.bodyStart...])
        switch head.framing {
        case .none:
            return HTTPResponse(status: head.status, headers: head.headers, body: [], isComplete: true)
        case .chunked:
            let (body, complete) = decodeChunked(raw)
            return HTTPResponse(status: head.status, headers: head.headers, body: body, isComplete: complete)
        case .length(let length):
            return HTTPResponse(status: head.status, headers: head.headers, body: Array(raw.prefix(length)),
                                isComplete: raw.count >= length)
        case .close:
            return HTTPResponse(status: head.status, headers: head.headers, body: raw, isComplete: endOfStream)
        }
    }

    /// The body of a chunked message so far, and whether the last (zero) chunk was seen.
    static func decodeChunked(_ raw: [UInt8]) -> ([UInt8], Bool) {
        var body: [UInt8] = []
        var index = 0
        while let lineEnd = find([13, 10], in: raw, from: index) {
            guard let size = chunkSize(raw[index..<lineEnd]) else { return (body, false) }
            if size == 0 { return (body, true) }
            let start = lineEnd + 2
            let end = min(start + size, raw.count)
            body.append(contentsOf: raw[start..<end])
            guard start + size + 2 <= raw.count else { return (body, false) }
            index = start + size + 2  // skip the CRLF after the data
        }
        return (body, false)
    }

    /// The size on a chunk-size line ("1a;ext=1"), nil when it is not hexadecimal.
    static func chunkSize(_ line: ArraySlice<UInt8>) -> Int? {
        let text = String(decoding: line, as: UTF8.self)
            .split(separator: ";", maxSplits: 1).first.map { $0.trimmingSpaces() } ?? ""
        return Int(text, radix: 16)
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int = 0) -> Int? {
        guard needle.count <= haystack.count, start <= haystack.count - needle.count else { return nil }
        var index = start
        while index <= haystack.count - needle.count {
            if haystack[index] == needle[0] && haystack[index..<(index + needle.count)].elementsEqual(needle) {
                return index
            }
            index += 1
        }
        return nil
    }
}

extension StringProtocol {
    /// The text without spaces and tabs at either end (Foundation-free).
    func trimmingSpaces() -> String {
        var slice = Substring(self)
        while let first = slice.first, first == " " || first == "\t" { slice.removeFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice.removeLast() }
        return String(slice)
    }
}
