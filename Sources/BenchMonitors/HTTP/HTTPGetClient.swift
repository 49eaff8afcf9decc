import BenchCore
import Dispatch
import Foundation
import Glibc

/// A minimal HTTP/1.1 GET client for Prometheus' API and exporters' `/metrics`.
///
/// Our own rather than URLSession: on Linux URLSession goes through libcurl with its own
/// threads and connection cache, has had Swift-6 Sendable and crash issues, and hides the socket
/// error text we want to show; these are loopback/LAN GETs of a few hundred kB, one connection
/// per request (`Connection: close`), so a blocking socket with a deadline on a dispatch thread is
/// simpler and predictable. Bodies framed by Content-Length, chunked encoding, or the close.
public struct HTTPGetClient: Sendable {
    /// Status, headers (lower-cased names) and body of one response.
    public struct Response: Sendable {
        public let status: Int
        public let headers: [String: String]
        public let body: [UInt8]

        public var text: String { String(decoding: body, as: UTF8.self) }
    }

    public let timeout: Duration
    /// Responses larger than this are an error (a runaway exporter must not eat the memory).
    public let maxBodyBytes: Int

    public init(timeout: Duration = .seconds(10), maxBodyBytes: Int = 64 << 20) {
        self.timeout = timeout
        self.maxBodyBytes = maxBodyBytes
    }

    /// GETs `path` (with its query string, already percent-encoded) from `host:port`.
    public func get(host: String, port: Int, path: String) async throws -> Response {
        let timeout = self.timeout
        let limit = maxBodyBytes
        // Blocking I/O runs on a dispatch thread, never on the cooperative pool.
        return try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result {
                    try Self.blockingGet(host: host, port: port, path: path, timeout: timeout, limit: limit)
                })
            }
        }
    }

    static func blockingGet(host: String, port: Int, path: String, timeout: Duration, limit: Int) throws -> Response {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        let display = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        let fd = try connect(host: host, port: port, display: display, deadline: deadline)
        defer { close(fd) }
        let hostHeader = display
        let request = "GET \(path) HTTP/1.1\r\nHost: \(hostHeader)\r\nUser-Agent: bench\r\nAccept: */*\r\nConnection: close\r\n\r\n"
        try send(fd, Array(request.utf8), display: display, deadline: deadline)
        let raw = try receiveAll(fd, display: display, deadline: deadline, limit: limit + 64 * 1024)
        return try parse(raw, display: display)
    }

    // MARK: socket

    private static func connect(host: String, port: Int, display: String, deadline: ContinuousClock.Instant) throws -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, String(port), &hints, &list)
        guard rc == 0, let first = list else {
            throw BenchError("cannot resolve \(host): \(String(cString: gai_strerror(rc)))")
        }
        defer { freeaddrinfo(first) }
        var lastError = "no address for \(display)"
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let info = entry {
            entry = info.pointee.ai_next
            let fd = socket(info.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
            guard fd >= 0 else { lastError = errorText(errno); continue }
            if Glibc.connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 { return fd }
            guard errno == EINPROGRESS else {
                lastError = "cannot connect to \(display): \(errorText(errno))"
                close(fd)
                continue
            }
            do {
                try wait(fd, events: Int16(POLLOUT), display: display, deadline: deadline, what: "connect")
            } catch {
                close(fd)
                throw error
            }
            var code: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &code, &length)
            if code == 0 { return fd }
            lastError = "cannot connect to \(display): \(errorText(code))"
            close(fd)
        }
        throw BenchError(lastError)
    }

    private static func wait(_ fd: Int32, events: Int16, display: String, deadline: ContinuousClock.Instant, what: String) throws {
        while true {
            let left = ContinuousClock.now.duration(to: deadline)
            let ms = max(0, Int32(clamping: left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000))
            guard ms > 0 else { throw BenchError("\(what) to \(display) timed out") }
            var pfd = pollfd(fd: fd, events: events, revents: 0)
            let rc = poll(&pfd, 1, ms)
            if rc > 0 { return }
            if rc == 0 { throw BenchError("\(what) to \(display) timed out") }
            if errno != EINTR { throw BenchError("\(what) to \(display) failed: \(errorText(errno))") }
        }
    }

    private static func send(_ fd: Int32, _ bytes: [UInt8], display: String, deadline: ContinuousClock.Instant) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL)) }
            if n > 0 { offset += n; continue }
            if n < 0 && (errno == EAGAIN || errno == EINTR) {
                try wait(fd, events: Int16(POLLOUT), display: display, deadline: deadline, what: "request")
                continue
            }
            throw BenchError("cannot send to \(display): \(errorText(errno))")
        }
    }

    private static func receiveAll(_ fd: Int32, display: String, deadline: ContinuousClock.Instant, limit: Int) throws -> [UInt8] {
        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n > 0 {
                result.append(contentsOf: buffer[0..<n])
                if result.count > limit { throw BenchError("response from \(display) is larger than \(limit) bytes") }
                // Stop as soon as a Content-Length body is complete (some servers linger).
                if isComplete(result) { return result }
                continue
            }
            if n == 0 { return result }
            if errno == EAGAIN || errno == EINTR {
                try wait(fd, events: Int16(POLLIN), display: display, deadline: deadline, what: "response")
                continue
            }
            throw BenchError("cannot read from \(display): \(errorText(errno))")
        }
    }

    // MARK: parsing

    private static let headerEnd: [UInt8] = Array("\r\n\r\n".utf8)

    private static func headerEndIndex(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        var i = 0
        while i + 3 < bytes.count {
            if bytes[i] == 13 && bytes[i + 1] == 10 && bytes[i + 2] == 13 && bytes[i + 3] == 10 { return i }
            i += 1
        }
        return nil
    }

    private static func isComplete(_ bytes: [UInt8]) -> Bool {
        guard let end = headerEndIndex(bytes) else { return false }
        let head = parseHead(bytes[..<end])
        if let length = head.headers["content-length"].flatMap({ Int($0) }) {
            return bytes.count - (end + 4) >= length
        }
        return false
    }

    private static func parseHead(_ bytes: ArraySlice<UInt8>) -> (statusLine: String, headers: [String: String]) {
        let lines = String(decoding: bytes, as: UTF8.self).components(separatedBy: "\r\n")
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimming(" \t")
            headers[name] = value
        }
        return (lines.first ?? "", headers)
    }

    static func parse(_ raw: [UInt8], display: String) throws -> Response {
        guard let end = headerEndIndex(raw) else {
            throw BenchError(raw.isEmpty ? "\(display) closed the connection without a response"
                                         : "incomplete HTTP response from \(display)")
        }
        let head = parseHead(raw[..<end])
        let parts = head.statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/"), let status = Int(parts[1]) else {
            throw BenchError("not an HTTP response from \(display): \(head.statusLine.prefix(80))")
        }
        var body = Array(raw[(end + 4)...])
        if head.headers["transfer-encoding"]?.lowercased().contains("chunked") == true {
            body = try dechunk(body, display: display)
        } else if let length = head.headers["content-length"].flatMap({ Int($0) }) {
            guard body.count >= length else { throw BenchError("response from \(display) ended early") }
            body = Array(body.prefix(length))
        }
        return Response(status: status, headers: head.headers, body: body)
    }

    static func dechunk(_ bytes: [UInt8], display: String) throws -> [UInt8] {
        var out: [UInt8] = []
        var i = 0
        while true {
            guard let lineEnd = findCRLF(bytes, from: i) else { throw BenchError("truncated chunked response from \(display)") }
            let sizeText = String(decoding: bytes[i..<lineEnd], as: UTF8.self).split(separator: ";").first ?? ""
            guard let size = Int(sizeText.trimming(" "), radix: 16) else {
                throw BenchError("bad chunk size in response from \(display)")
            }
            i = lineEnd + 2
            if size == 0 { return out }
            guard i + size <= bytes.count else { throw BenchError("truncated chunked response from \(display)") }
            out.append(contentsOf: bytes[i..<(i + size)])
            i += size + 2
        }
    }

    private static func findCRLF(_ bytes: [UInt8], from start: Int) -> Int? {
        var i = start
        while i + 1 < bytes.count {
            if bytes[i] == 13 && bytes[i + 1] == 10 { return i }
            i += 1
        }
        return nil
    }

    static func errorText(_ code: Int32) -> String { String(cString: strerror(code)) }
}

extension String {
    /// Foundation-free trim of a set of characters at both ends.
    func trimming(_ set: String) -> String {
        var slice = Substring(self)
        while let first = slice.first, set.contains(first) { slice.removeFirst() }
        while let last = slice.last, set.contains(last) { slice.removeLast() }
        return String(slice)
    }
}

extension Substring {
    func trimming(_ set: String) -> String { String(self).trimming(set) }
}
