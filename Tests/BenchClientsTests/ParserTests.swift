@testable import BenchClients
import BenchCore
import NIOCore
import XCTest

final class ParserTests: XCTestCase {
    private func httpCodec(expect: Int = 200, method: String = "GET") throws -> HTTPCodec {
        let config = try HTTPCodec.Config(params: HTTPParams(method: method, expectStatus: expect), hostHeader: "h")
        return HTTPCodec(config: config, stream: 0, allocator: ByteBufferAllocator())
    }

    /// Feeds `wire` in pieces of `chunk` bytes, as a connection would (keeping partial lines).
    private func responses<C: LoadCodec>(_ codec: inout C, _ wire: String, chunk: Int) -> [ResponseEvent] {
        let bytes = Array(wire.utf8)
        var events: [ResponseEvent] = []
        var leftover = ByteBuffer()
        var start = 0
        while start < bytes.count {
            var buffer = leftover
            buffer.writeBytes(bytes[start..<min(bytes.count, start + chunk)])
            start += chunk
            loop: while true {
                let event = codec.parse(&buffer)
                switch event {
                case .needMore: break loop
                case .invalid:
                    events.append(event)
                    return events
                case .response: events.append(event)
                }
            }
            leftover = buffer
        }
        return events
    }

    private func summary(_ events: [ResponseEvent]) -> [String] {
        events.map {
            switch $0 {
            case .needMore: return "more"
            case .invalid: return "invalid"
            case .response(let status, let bytes, let failure, let close):
                return "\(status) \(bytes) \(failure.map { "\($0)" } ?? "ok")\(close ? " close" : "")"
            }
        }
    }

    func testHTTPRequestEncodedOnce() throws {
        let config = try HTTPCodec.Config(
            params: HTTPParams(method: "post", path: "/x", headers: ["X-A": "1"], body: "hi"), hostHeader: "example:80")
        XCTAssertEqual(String(buffer: config.request),
                       "POST /x HTTP/1.1\r\nHost: example:80\r\nX-A: 1\r\nContent-Length: 2\r\n\r\nhi")
    }

    func testBodyFileReadOnce() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("bench-body-\(UUID())")
        try "{\"a\":1}".write(to: url, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: url) }
        let config = try HTTPCodec.Config(params: HTTPParams(method: "PUT", bodyFile: url.path), hostHeader: "h")
        XCTAssertTrue(String(buffer: config.request).hasSuffix("Content-Length: 7\r\n\r\n{\"a\":1}"))
        XCTAssertThrowsError(try HTTPCodec.Config(params: HTTPParams(bodyFile: "/nonexistent/x"), hostHeader: "h"))
    }

    func testHTTPFramingWhateverTheReadSizes() throws {
        let plain = "HTTP/1.1 200 OK\r\nCONTENT-length: 5\r\nServer: x\r\n\r\nhello"
        let chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\nA\r\n0123456789\r\n0\r\nX-T: 1\r\n\r\n"
        let closing = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: Close\r\n\r\n"
        let expected = ["200 \(plain.utf8.count) ok", "200 \(chunked.utf8.count) ok", "404 \(closing.utf8.count) status close"]
        for chunk in [1, 2, 3, 7, 16, 64, 1000] {
            var codec = try httpCodec()
            XCTAssertEqual(summary(responses(&codec, plain + chunked + closing, chunk: chunk)), expected, "read size \(chunk)")
        }
    }

    func testHTTPInterimNoBodyAndEndOfStream() throws {
        var codec = try httpCodec()
        let interim = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n"
        XCTAssertEqual(summary(responses(&codec, interim, chunk: 5)), ["204 \(interim.utf8.count) status"])
        var head = try httpCodec(method: "HEAD")
        let headAnswer = "HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n"
        XCTAssertEqual(summary(responses(&head, headAnswer, chunk: 100)), ["200 \(headAnswer.utf8.count) ok"])
        var untilClose = try httpCodec()
        XCTAssertEqual(summary(responses(&untilClose, "HTTP/1.0 200 OK\r\n\r\nabc", chunk: 4)), [])
        XCTAssertEqual(summary([untilClose.endOfStream()]), ["200 22 ok close"])
        var truncated = try httpCodec()
        XCTAssertEqual(summary(responses(&truncated, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", chunk: 100)), [])
        XCTAssertEqual(summary([truncated.endOfStream()]), ["invalid"])
        var garbage = try httpCodec()
        XCTAssertEqual(summary(responses(&garbage, "SSH-2.0-OpenSSH\r\n", chunk: 100)), ["invalid"])
    }

    func testRESPFraming() {
        let config = RedisCodec.Config(params: RedisParams(), seed: 1)
        let replies = ["+OK\r\n", "$5\r\nhello\r\n", "$-1\r\n", "-ERR wrong\r\n", ":42\r\n",
                       "*2\r\n$1\r\na\r\n*1\r\n:1\r\n", "*0\r\n", "$0\r\n\r\n"]
        let expected = replies.map { "0 \($0.utf8.count) \($0.hasPrefix("-") ? "status" : "ok")" }
        for chunk in [1, 2, 5, 100] {
            var codec = RedisCodec(config: config, stream: 0, allocator: ByteBufferAllocator())
            XCTAssertEqual(summary(responses(&codec, replies.joined(), chunk: chunk)), expected, "read size \(chunk)")
        }
    }

    func testRedisCommandsAndMix() {
        let params = RedisParams(command: .mixed, ratio: RedisRatio(sets: 1, gets: 2), keyspace: 1000,
                                 valueSize: ByteSize(bytes: 3), pipeline: 4)
        var codec = RedisCodec(config: RedisCodec.Config(params: params, seed: 5), stream: 0, allocator: ByteBufferAllocator())
        for _ in 0..<6 { codec.appendRequest() }
        let text = String(buffer: codec.takeOutput()!)
        let commands = text.components(separatedBy: "*").dropFirst()
        XCTAssertEqual(commands.count, 6)
        XCTAssertEqual(commands.map { $0.contains("SET") ? "S" : "G" }.joined(), "SGGSGG")
        let keys = text.matches(of: /key:(\d+)\r\n/).map { Int($0.1)! }
        XCTAssertEqual(keys.count, 6)
        XCTAssertTrue(keys.allSatisfy { (0..<1000).contains($0) })
        XCTAssertTrue(text.hasPrefix("*3\r\n$3\r\nSET\r\n$\(4 + String(keys[0]).count)\r\nkey:\(keys[0])\r\n$3\r\nxxx\r\n"))
        XCTAssertNil(codec.takeOutput(), "taken output is not given twice")
    }

    /// 50 connections' keys cover the key space as 50 independent uniform draws do: none replays another's sequence.
    func testRedisConnectionsDrawIndependentKeys() {
        var keys = Set<Int>()
        for stream in 1...50 {
            var codec = RedisCodec(config: RedisCodec.Config(params: RedisParams(keyspace: 10_000), seed: 1), stream: UInt64(stream),
                                   allocator: ByteBufferAllocator())
            for _ in 0..<400 { codec.appendRequest() }
            keys.formUnion(String(buffer: codec.takeOutput()!).matches(of: /key:(\d+)\r\n/).map { Int($0.1)! })
        }
        // 20,000 uniform draws over 10,000 keys leave e^-2 of them untouched: about 8,650 distinct.
        XCTAssertEqual(Double(keys.count), 10_000 * (1 - exp(-2.0)), accuracy: 200)
    }
}
