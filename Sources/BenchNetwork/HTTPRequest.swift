/// One slow-path request: method, path (with its query, already percent-encoded), headers, body.
public struct HTTPRequest: Sendable {
    public var method: String
    public var path: String
    /// Sent in this order after `Host`; `Connection: close` and `Content-Length` are added.
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// The `Host` header; `host:port` of the connection when nil.
    public var hostHeader: String?

    public init(method: String = "GET", path: String, headers: [(name: String, value: String)] = [],
                body: [UInt8] = [], hostHeader: String? = nil) {
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body
        self.hostHeader = hostHeader
    }

    /// The request as sent to `peer` (`host:port`).
    func encoded(peer: String) -> [UInt8] {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: \(hostHeader ?? peer)\r\n"
        for header in headers { head += "\(header.name): \(header.value)\r\n" }
        // One request per connection: the server's close ends bodies framed by the close.
        head += "Connection: close\r\n"
        if !body.isEmpty || method == "POST" || method == "PUT" { head += "Content-Length: \(body.count)\r\n" }
        head += "\r\n"
        return Array(head.utf8) + body
    }
}
