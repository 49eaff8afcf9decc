/// The status line and headers of a response, and how its body is framed.
struct HTTPResponseHead: Sendable, Equatable {
    /// How the end of the body is known (RFC 9112 6.3).
    enum Framing: Sendable, Equatable {
        /// No body (1xx, 204, 304).
        case none
        case chunked
        case length(Int)
        /// The body ends when the server closes the connection.
        case close
    }

    let status: Int
    let headers: [String: String]
    let framing: Framing
    /// Index of the body's first byte (after the blank line).
    let bodyStart: Int

    /// The first line of `bytes`, for "not an HTTP response" messages.
    static func firstLine(_ bytes: [UInt8]) -> String {
        let end = HTTPResponse.find([13, 10], in: bytes) ?? bytes.count
        return String(decoding: bytes[..<end], as: UTF8.self)
    }

    /// The index of the blank line ending the head, searching from `start`.
    static func headEnd(_ bytes: [UInt8], from start: Int = 0) -> Int? {
        HTTPResponse.find([13, 10, 13, 10], in: bytes, from: start)
    }

    /// Nil until the head is complete, or when it is not HTTP.
    static func parse(_ bytes: [UInt8], headEnd known: Int? = nil) -> HTTPResponseHead? {
        guard let headerEnd = known ?? headEnd(bytes) else { return nil }
        let head = String(decoding: bytes[..<headerEnd], as: UTF8.self)
        let lines = head.split(separator: "\r\n", omittingEmptySubsequences: false)
        // "HTTP/1.1 200 OK": the reason phrase is optional.
        let statusParts = lines[0].split(separator: " ", maxSplits: 2)
        guard statusParts.count >= 2, statusParts[0].hasPrefix("HTTP/"),
              let status = Int(statusParts[1]) else { return nil }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingSpaces()
        }
        let framing: Framing
        if status / 100 == 1 || status == 204 || status == 304 {
            framing = .none
        } else if headers["transfer-encoding"]?.lowercased().contains("chunked") == true {
            framing = .chunked
        } else if let length = headers["content-length"].flatMap({ Int($0) }) {
            framing = .length(length)
        } else {
            framing = .close
        }
        return HTTPResponseHead(status: status, headers: headers, framing: framing, bodyStart: headerEnd + 4)
    }
}
