/// The parts of an HTTP/1.x response a readiness probe looks at, parsed from raw bytes.
struct HTTPResponse: Equatable {
    let status: Int
    /// The decoded body (chunked transfer coding removed), possibly cut at the probe's limit.
    let body: [UInt8]
    /// True when the whole body arrived (by Content-Length, the last chunk, or end of stream).
    let isComplete: Bool

    /// Parses what has arrived so far; nil until the status line and headers are complete or
    /// when they are not HTTP. `endOfStream`: the server closed the connection after `bytes`.
    static func parse(_ bytes: [UInt8], endOfStream: Bool) -> HTTPResponse? {
        guard let headerEnd = find([13, 10, 13, 10], in: bytes) else { return nil }
        let head = String(decoding: bytes[..<headerEnd], as: UTF8.self)
        let lines = head.split(separator: "\r\n", omittingEmptySubsequences: false)
        // "HTTP/1.1 200 OK": the reason phrase is optional.
        let statusParts = lines[0].split(separator: " ", maxSplits: 2)
        guard statusParts.count >= 2, statusParts[0].hasPrefix("HTTP/"),
              let status = Int(statusParts[1]) else { return nil }
        var contentLength: Int?
        var chunked = false
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingSpaces().lowercased()
            if name == "content-length" { contentLength = Int(value) }
            if name == "transfer-encoding" && value.contains("chunked") { chunked = true }
        }
        let raw = Array(bytes[(headerEnd + 4)...])
        // No body for 1xx, 204, 304 (RFC 9112 6.3).
        if status / 100 == 1 || status == 204 || status == 304 {
            return HTTPResponse(status: status, body: [], isComplete: true)
        }
        if chunked {
            let (body, complete) = decodeChunked(raw)
            return HTTPResponse(status: status, body: body, isComplete: complete || endOfStream)
        }
        if let contentLength {
            return HTTPResponse(status: status, body: Array(raw.prefix(contentLength)),
                                isComplete: raw.count >= contentLength)
        }
        return HTTPResponse(status: status, body: raw, isComplete: endOfStream)
    }

    /// The body of a chunked message so far, and whether the last (zero) chunk was seen.
    static func decodeChunked(_ raw: [UInt8]) -> ([UInt8], Bool) {
        var body: [UInt8] = []
        var index = 0
        while let lineEnd = find([13, 10], in: raw, from: index) {
            let sizeText = String(decoding: raw[index..<lineEnd], as: UTF8.self)
                .split(separator: ";", maxSplits: 1).first.map { $0.trimmingSpaces() } ?? ""
            guard let size = Int(sizeText, radix: 16) else { return (body, false) }
            if size == 0 { return (body, true) }
            let start = lineEnd + 2
            let end = min(start + size, raw.count)
            body.append(contentsOf: raw[start..<end])
            guard start + size + 2 <= raw.count else { return (body, false) }
            index = start + size + 2  // skip the CRLF after the data
        }
        return (body, false)
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int = 0) -> Int? {
        guard needle.count <= haystack.count, start <= haystack.count - needle.count else { return nil }
        var index = start
        while index <= haystack.count - needle.count {
            if haystack[index] == needle[0] && Array(haystack[index..<(index + needle.count)]) == needle {
                return index
            }
            index += 1
        }
        return nil
    }
}

private extension StringProtocol {
    func trimmingSpaces() -> String {
        var slice = Substring(self)
        while let first = slice.first, first == " " || first == "\t" { slice.removeFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice.removeLast() }
        return String(slice)
    }
}
