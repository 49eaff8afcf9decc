import Foundation
import Synchronization
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// A small HTTP/1.1 server on plain sockets for the openai codec's edge cases: each request gets the steps its
/// script returns (bytes to write, pauses, a close), so split frames, pings, errors and cuts are exact.
final class OpenAIScriptedServer: Sendable {
    enum Step: Sendable {
        case send(String)
        case pause(milliseconds: Int)
        case close
    }

    let port: Int
    private let listener: Int32
    private let script: @Sendable (_ index: Int, _ request: String) -> [Step]
    private let counter = Mutex(0)
    private let stopped = Atomic<Bool>(false)
    private let requests = Mutex<[String]>([])

    /// Requests received so far (head and body), in order.
    var received: [String] { requests.withLock { $0 } }

    init(script: @escaping @Sendable (_ index: Int, _ request: String) -> [Step]) throws {
        self.script = script
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { p -> Bool in
                bind(fd, p, length) == 0 && getsockname(fd, p, &length) == 0
            }
        }
        guard ok, listen(fd, 64) == 0 else {
            close(fd)
            throw XCTSkip("cannot listen on a local port")
        }
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    func stop() {
        stopped.store(true, ordering: .releasing)
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private func acceptLoop() {
        while !stopped.load(ordering: .acquiring) {
            let client = accept(listener, nil, nil)
            guard client >= 0 else { return }
            var one: Int32 = 1
            setsockopt(client, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            let thread = Thread { [self] in serve(client) }
            thread.start()
        }
    }

    private func serve(_ fd: Int32) {
        defer { close(fd) }
        var pending: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            // One whole request: head, then Content-Length bytes of body.
            var request: String?
            while request == nil {
                if let headEnd = Self.find([13, 10, 13, 10], in: pending) {
                    let head = String(decoding: pending[0..<headEnd], as: UTF8.self)
                    let length = head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
                        .flatMap { Int($0.dropFirst(15).trimmingCharacters(in: .whitespaces)) } ?? 0
                    if pending.count >= headEnd + 4 + length {
                        request = String(decoding: pending[0..<(headEnd + 4 + length)], as: UTF8.self)
                        pending.removeFirst(headEnd + 4 + length)
                        break
                    }
                }
                let n = read(fd, &chunk, chunk.count)
                if n <= 0 { return }
                pending.append(contentsOf: chunk[0..<n])
            }
            guard let request else { return }
            requests.withLock { $0.append(request) }
            let index = counter.withLock { value -> Int in
                defer { value += 1 }
                return value
            }
            for step in script(index, request) {
                switch step {
                case .send(let text):
                    let bytes = Array(text.utf8)
                    var sent = 0
                    while sent < bytes.count {
                        let n = bytes[sent...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                        if n <= 0 { return }
                        sent += n
                    }
                case .pause(let ms):
                    usleep(UInt32(ms * 1000))
                case .close:
                    return
                }
            }
        }
    }

    private static func find(_ needle: [UInt8], in bytes: [UInt8]) -> Int? {
        guard bytes.count >= needle.count else { return nil }
        for i in 0...(bytes.count - needle.count) where bytes[i] == needle[0] && Array(bytes[i..<(i + needle.count)]) == needle {
            return i
        }
        return nil
    }

    // MARK: Building answers

    static let streamHead = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"

    /// One HTTP chunk carrying `text`.
    static func chunk(_ text: String) -> String {
        String(text.utf8.count, radix: 16) + "\r\n" + text + "\r\n"
    }

    static let lastChunk = "0\r\n\r\n"

    static func chatEvent(_ content: String) -> String {
        "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"\(content)\"},\"finish_reason\":null}]}\n\n"
    }

    static func usageEvent(prompt: Int, completion: Int) -> String {
        "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":\(prompt),\"completion_tokens\":\(completion),"
            + "\"total_tokens\":\(prompt + completion)}}\n\n"
    }

    static let done = "data: [DONE]\n\n"

    static func plain(status: Int, reason: String, body: String) -> String {
        "HTTP/1.1 \(status) \(reason)\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n" + body
    }
}
