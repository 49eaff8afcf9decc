@testable import BenchClients
import BenchCore
import NIOCore
import XCTest

/// The memcached codec on its own: what it writes, and how it frames the text protocol's replies
/// however the reads split them.
final class MemcachedProtocolTests: XCTestCase {
    private func codec(_ params: MemcachedParams = MemcachedParams(), seed: UInt64 = 1) -> MemcachedCodec {
        MemcachedCodec(config: MemcachedCodec.Config(params: params, seed: seed), stream: 0, allocator: ByteBufferAllocator())
    }

    /// Feeds `wire` in reads of `chunk` bytes, keeping what the codec left unconsumed, as a connection does;
    /// each framed reply as "hit|miss|stored|- ok|status BYTES", or "invalid".
    private func replies(_ codec: inout MemcachedCodec, _ wire: String, chunk: Int) -> [String] {
        let bytes = Array(wire.utf8)
        var out: [String] = []
        var buffer = ByteBuffer()
        var start = 0
        while start < bytes.count {
            buffer.writeBytes(bytes[start..<min(bytes.count, start + chunk)])
            start += chunk
            loop: while true {
                switch codec.parse(&buffer) {
                case .needMore: break loop
                case .invalid: return out + ["invalid"]
                case .response(let status, let size, let failure, let close):
                    XCTAssertEqual(status, 0)
                    XCTAssertFalse(close)
                    let reply = codec.takeCacheReply().map { ["hit", "miss", "stored"][$0.rawValue] } ?? "-"
                    XCTAssertNil(codec.takeCacheReply(), "a reply is taken once")
                    out.append("\(reply) \(failure.map { "\($0)" } ?? "ok") \(size)")
                }
            }
        }
        return out
    }

    private static func name(_ event: ResponseEvent) -> String {
        switch event {
        case .needMore: "needMore"
        case .invalid: "invalid"
        case .response: "response"
        }
    }

    func testRequestsAreTextCommandsInTheMixedOrder() {
        var c = codec(MemcachedParams(command: .mixed, ratio: RedisRatio(sets: 1, gets: 2), keyspace: 1000, keyPrefix: "user/",
                                      valueSize: ByteSize(bytes: 3), pipeline: 4, ttl: 60), seed: 5)
        for _ in 0..<6 { c.appendRequest() }
        let text = String(buffer: c.takeOutput()!)
        let commands = text.matches(of: /(get|set) user\/(\d+)(?: 0 60 3\r\nxxx)?\r\n/)
        XCTAssertEqual(commands.map(\.output.0).joined(), text, "nothing but whole commands")
        XCTAssertEqual(commands.map { $0.output.1 == "set" ? "S" : "G" }.joined(), "SGGSGG")
        XCTAssertTrue(commands.allSatisfy { (0..<1000).contains(Int($0.output.2)!) })
        XCTAssertEqual(Set(commands.map(\.output.2)).count, 6, "keys are drawn across the key space")
        XCTAssertNil(c.takeOutput(), "taken output is not given twice")

        // The buffer is reused once taken; key 0 is "0", and an empty prefix leaves the index alone.
        var one = codec(MemcachedParams(command: .set, keyspace: 1, keyPrefix: "", valueSize: ByteSize(bytes: 2)))
        one.appendRequest()
        XCTAssertEqual(String(buffer: one.takeOutput()!), "set 0 0 0 2\r\nxx\r\n")
        one.appendRequest()
        one.appendRequest()
        XCTAssertEqual(String(buffer: one.takeOutput()!), "set 0 0 0 2\r\nxx\r\nset 0 0 0 2\r\nxx\r\n")
        var gets = codec(MemcachedParams(command: .get, keyspace: 1))
        gets.appendRequest()
        XCTAssertEqual(String(buffer: gets.takeOutput()!), "get key:0\r\n")
    }

    /// Every reply a `get` or `set` can have, split at every read size: hits (data with CR LF and END inside,
    /// a cas field, an empty value), misses, stores, and the error lines, which are answers counted as errors.
    func testRepliesFramedWhateverTheReadSizes() {
        let wire: [(String, String)] = [
            ("VALUE key:1 0 5\r\nhello\r\nEND\r\n", "hit ok"),
            ("END\r\n", "miss ok"),
            ("STORED\r\n", "stored ok"),
            ("VALUE key:22 7 9 99\r\nEND\r\n\r\nXY\r\nEND\r\n", "hit ok"),
            ("VALUE k 0 0\r\n\r\nEND\r\n", "hit ok"),
            ("ERROR\r\n", "- status"),
            ("CLIENT_ERROR bad data chunk\r\n", "- status"),
            ("SERVER_ERROR out of memory storing object\r\n", "- status"),
            ("NOT_STORED\r\n", "- status"),
            ("END\r\n", "miss ok"),
        ]
        let expected = wire.map { "\($0.1) \($0.0.utf8.count)" }
        for chunk in [1, 2, 3, 5, 7, 11, 16, 64, 1000] {
            var c = codec()
            XCTAssertEqual(replies(&c, wire.map(\.0).joined(), chunk: chunk), expected, "read size \(chunk)")
            XCTAssertEqual(Self.name(c.endOfStream()), "needMore", "between replies: nothing pending")
        }
    }

    func testPipelinedRepliesInOneReadAndLargeValuesAcrossReads() {
        let value = String(repeating: "0123456789abcdef\r\n", count: 4000)  // 72,000 bytes, CR LF inside
        let hit = "VALUE key:7 0 \(value.utf8.count)\r\n\(value)\r\nEND\r\n"
        let pipelined = String(repeating: "END\r\nSTORED\r\n", count: 16) + hit + hit
        for chunk in [4096, 65_536, 1 << 20] {
            var c = codec()
            let got = replies(&c, pipelined, chunk: chunk)
            XCTAssertEqual(got, Array(repeating: ["miss ok 5", "stored ok 8"], count: 16).flatMap { $0 }
                + Array(repeating: "hit ok \(hit.utf8.count)", count: 2), "read size \(chunk)")
        }
    }

    func testWhatBreaksTheProtocol() {
        let broken = [
            "HTTP/1.1 200 OK\r\n\r\n",                 // another protocol
            "VALUE key:1 0 3\r\nhello\r\nEND\r\n",       // a length that does not match the data
            "VALUE key:1 0 x\r\nx\r\nEND\r\n",           // no length
            "VALUE key:1\r\n",                           // too few fields
            "VALUE k 0 1\r\nx\r\nSTORED\r\n",            // a store's answer inside a get's
            "VALUE k 0 1\r\nx\r\nSERVER_ERROR x\r\n",    // an error inside a get's answer
            "END \r\n",                                  // not END
            "\r\n",                                      // an empty line
        ]
        for wire in broken {
            for chunk in [1, 4, 100] {
                var c = codec()
                XCTAssertEqual(replies(&c, wire, chunk: chunk).last, "invalid", "\(wire.debugDescription) in reads of \(chunk)")
            }
        }
        // A reply cut off by the close is a protocol error; a partial line is kept until its end arrives.
        var cut = codec()
        XCTAssertEqual(replies(&cut, "VALUE key:1 0 5\r\nhel", chunk: 100), [])
        XCTAssertEqual(Self.name(cut.endOfStream()), "invalid")
        var partial = codec()
        var buffer = ByteBuffer(string: "STOR")
        XCTAssertEqual(Self.name(partial.parse(&buffer)), "needMore")
        XCTAssertEqual(buffer.readableBytes, 4, "a partial line is not consumed")
    }
}

extension MemcachedProtocolTests {
    /// 50 connections' keys cover the key space as 50 independent uniform draws do: none replays another's sequence.
    func testConnectionsDrawIndependentKeys() {
        let params = MemcachedParams(command: .get, keyspace: 10_000)
        var keys = Set<Substring>()
        var sequences = Set<[Substring]>()
        for stream in 1...50 {
            var c = MemcachedCodec(config: MemcachedCodec.Config(params: params, seed: 1), stream: UInt64(stream),
                                   allocator: ByteBufferAllocator())
            for _ in 0..<400 { c.appendRequest() }
            let drawn = String(buffer: c.takeOutput()!).split(separator: "\r\n")
            keys.formUnion(drawn)
            sequences.insert(Array(drawn.dropFirst(4).prefix(100)))
        }
        // 20,000 uniform draws over 10,000 keys leave e^-2 of them untouched: about 8,650 distinct.
        XCTAssertEqual(Double(keys.count), 10_000 * (1 - exp(-2.0)), accuracy: 200)
        XCTAssertEqual(sequences.count, 50, "no connection's keys are another's, shifted")
    }
}
