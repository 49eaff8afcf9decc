import Foundation
import Glibc
import Synchronization

/// A real TCP server on 127.0.0.1 that answers each connection with scripted steps, on its
/// own thread, so the client is tested against real sockets rather than a mock.
final class ScriptedHTTPServer: Sendable {
    /// One thing the server does on a connection, in order.
    enum Step: Sendable {
        case send(String)
        case pause(milliseconds: Int)
        /// Closes the connection (the end of the script closes it too).
        case close
        /// Keeps the connection open without answering until the server stops.
        case hold
    }

    let port: Int
    private let fd: Int32
    private let stopped = Atomic<Bool>(false)
    /// The requests received, head and body, in arrival order.
    private let requests = Mutex<[String]>([])

    var received: [String] { requests.withLock { $0 } }

    /// `readRequest`: wait for a whole request (head and Content-Length body) before the
    /// script; `script` gets the request's text.
    init(readRequest: Bool = true, script: @escaping @Sendable (String) -> [Step]) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var on: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 64) == 0 else {
            Glibc.close(fd)
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        self.fd = fd
        self.port = Int(UInt16(bigEndian: address.sin_port))
        let thread = Thread { [self] in acceptLoop(readRequest: readRequest, script: script) }
        thread.start()
    }

    func stop() {
        stopped.store(true, ordering: .sequentiallyConsistent)
        shutdown(fd, Int32(SHUT_RDWR))
        Glibc.close(fd)
    }

    private func acceptLoop(readRequest: Bool, script: @escaping @Sendable (String) -> [Step]) {
        while !stopped.load(ordering: .sequentiallyConsistent) {
            let connection = accept(fd, nil, nil)
            guard connection >= 0 else { return }
            let thread = Thread { [self] in serve(connection, readRequest: readRequest, script: script) }
            thread.start()
        }
    }

    private func serve(_ connection: Int32, readRequest: Bool, script: @Sendable (String) -> [Step]) {
        defer { Glibc.close(connection) }
        var request = ""
        if readRequest {
            var bytes: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 65536)
            while !Self.isWhole(bytes) {
                let count = read(connection, &buffer, buffer.count)
                if count <= 0 { break }
                bytes.append(contentsOf: buffer[0..<count])
            }
            request = String(decoding: bytes, as: UTF8.self)
            requests.withLock { $0.append(request) }
        }
        for step in script(request) {
            switch step {
            case .send(let text):
                let bytes = Array(text.utf8)
                _ = bytes.withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            case .pause(let milliseconds):
                usleep(UInt32(milliseconds * 1000))
            case .close:
                return
            case .hold:
                while !stopped.load(ordering: .sequentiallyConsistent) { usleep(10_000) }
                return
            }
        }
    }

    /// True once `bytes` hold a head and as much body as its Content-Length says.
    private static func isWhole(_ bytes: [UInt8]) -> Bool {
        let text = String(decoding: bytes, as: UTF8.self)
        guard let end = text.range(of: "\r\n\r\n") else { return false }
        let head = text[..<end.lowerBound].lowercased()
        let length = head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
            .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
        return text.utf8.count - text.utf8.distance(from: text.utf8.startIndex, to: end.upperBound) >= length
    }
}
