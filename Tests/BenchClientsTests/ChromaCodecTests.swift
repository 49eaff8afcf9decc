@testable import BenchClients
import BenchCore
import NIOCore
import XCTest

/// The bytes chroma queries and add batches go out as, and how answers are framed and scored.
final class ChromaCodecTests: XCTestCase {
    private func text(_ buffer: ByteBuffer) -> String { String(buffer: buffer) }

    func testAQueryIsOneVectorAsJSONNumbersWithKAndTheFilter() {
        let vector: [Float] = [0.5, -1, 1e-05]
        let plain = vector.withUnsafeBufferPointer {
            ChromaRequestEncoder.query($0, collection: "c0ffee", k: 3, bucketLimit: nil, hostHeader: "h:1", allocator: ByteBufferAllocator())
        }
        let body = #"{"query_embeddings":[[0.5,-1.0,1e-05]],"n_results":3,"include":[]}"#
        XCTAssertEqual(text(plain), "POST /api/v2/tenants/default_tenant/databases/default_database/collections/c0ffee/query HTTP/1.1\r\n"
            + "Host: h:1\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n" + body)
        let filtered = vector.withUnsafeBufferPointer {
            ChromaRequestEncoder.query($0, collection: "c", k: 3, bucketLimit: 10, hostHeader: "h", allocator: ByteBufferAllocator())
        }
        XCTAssertTrue(text(filtered).hasSuffix(#""include":[],"where":{"bucket":{"$lt":10}}}"#), text(filtered))
    }

    func testAnAddBatchCarriesIdsBase64Float32MetadataAndDocuments() throws {
        // 1.0 and 2.0 as little-endian float32 are 00 00 80 3F and 00 00 00 40: base64 AACAPwAAAEA=.
        let set = VectorSet(dim: 2, values: [1, 2, 0, 0, 1, 2], metadata: ["", "\"genre\":\"jazz\"", ""])
        let rows = ChromaRows(source: .stored(set), first: 0, count: 3, generateDocuments: true, datasetName: "d")
        let request = text(ChromaRequestEncoder.add(rows, 0..<2, collection: "c", hostHeader: "h", allocator: ByteBufferAllocator()))
        let body = try XCTUnwrap(request.components(separatedBy: "\r\n\r\n").last)
        XCTAssertEqual(body, #"{"ids":["0","1"],"embeddings":["AACAPwAAAEA=","AAAAAAAAAAA="],"#
            + #""metadatas":[{"bucket":0},{"bucket":1,"genre":"jazz"}],"documents":["vector 0 of d","vector 1 of d"]}"#)
        XCTAssertTrue(request.hasPrefix("POST /api/v2/tenants/default_tenant/databases/default_database/collections/c/add HTTP/1.1\r\n"))
        XCTAssertTrue(request.contains("Content-Length: \(body.utf8.count)\r\n"))
        // The body is JSON, and the base64 decodes to the vector's bytes.
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
        let first = try XCTUnwrap(Data(base64Encoded: try XCTUnwrap((object["embeddings"] as? [String])?.first)))
        XCTAssertEqual(first.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }, [1, 2])
        // Base64 of every remainder length.
        for n in 0..<7 {
            let bytes = (0..<n).map { UInt8($0 * 37 + 1) }
            var out = ByteBuffer()
            bytes.withUnsafeBytes { Base64.append($0, to: &out) }
            XCTAssertEqual(String(buffer: out), Data(bytes).base64EncodedString())
        }
    }

    func testTheScannerReadsTheRowsOfTheAnswersIds() {
        func rows(_ text: String, lookup: [String: Int32]? = nil) -> [Int32]? {
            var rows: [Int32] = []
            let found = Array(text.utf8).withUnsafeBytes { ChromaAnswerScanner.rows(in: $0, lookup: lookup, into: &rows) }
            return found ? rows : nil
        }
        XCTAssertEqual(rows(#"HTTP/1.1 200 OK\#r\#ncontent-length: 10\#r\#n\#r\#n{"ids":[["12","7", "3"]],"distances":null}"#), [12, 7, 3])
        XCTAssertEqual(rows(#"{"ids": [ [ "a","b","zz" ] ]}"#, lookup: ["a": 40, "b": 1]), [40, 1, -1])
        XCTAssertEqual(rows(#"{"ids":[["x1"]]}"#), [-1], "not a row number")
        XCTAssertEqual(rows(#"{"ids":[[]]}"#), [])
        XCTAssertNil(rows(#"{"error":"x"}"#))
        XCTAssertNil(rows(#"{"ids":[["1","2""#), "cut short")
    }

    private func codec(truth: [Int32], fresh: ChromaFreshRows? = nil) -> ChromaQueryCodec {
        var config = ChromaQueryCodec.Config(requests: [ByteBuffer(string: "q0"), ByteBuffer(string: "q1")], truth: truth, k: 2,
                                             lookup: nil, cursor: PromptCursor())
        config.fresh = fresh
        return ChromaQueryCodec(config: config, stream: 0, allocator: ByteBufferAllocator())
    }

    private func answer(_ body: String, status: String = "200 OK") -> String {
        "HTTP/1.1 \(status)\r\ncontent-type: application/json\r\ncontent-length: \(body.utf8.count)\r\n\r\n\(body)"
    }

    func testQueryAnswersSplitAcrossReadsAreScoredForTheQueryThatWasSent() {
        // Query 0's true neighbours are rows 5 and 6; query 1's 8 and 9.
        var c = codec(truth: [5, 6, 8, 9])
        for (query, body, expected) in [(0, #"{"ids":[["6","1"]],"include":[]}"#, 1), (1, #"{"ids":[["9","8"]],"include":[]}"#, 2)] {
            c.appendRequest()
            XCTAssertEqual(c.takeOutput().map { String(buffer: $0) }, "q\(query)")
            let wire = Array(answer(body).utf8)
            var buffer = ByteBuffer(bytes: wire[0..<40])
            guard case .needMore = c.parse(&buffer) else { return XCTFail("a partial answer needs more") }
            var rest = buffer
            rest.writeBytes(wire[40...])
            guard case .response(200, _, nil, false) = c.parse(&rest) else { return XCTFail("query \(query): a whole answer") }
            XCTAssertEqual(c.takeHits(), expected)
            XCTAssertNil(c.takeHits(), "taken once")
        }
    }

    func testErrorsAndAnswersWithoutIdsFailAndUnscoredQueriesAreNotCounted() {
        var c = codec(truth: [5, 6, -1, -1])
        c.appendRequest()
        _ = c.takeOutput()
        var bad = ByteBuffer(string: answer(#"{"error":"InvalidArgumentError","message":"dimension"}"#, status: "400 Bad Request"))
        guard case .response(400, _, .status?, _) = c.parse(&bad) else { return XCTFail("a 400 fails as status") }
        XCTAssertNil(c.takeHits())
        c.appendRequest()
        _ = c.takeOutput()
        var odd = ByteBuffer(string: answer(#"{"something":"else"}"#))
        guard case .response(200, _, .protocol?, _) = c.parse(&odd) else { return XCTFail("a 200 without ids fails as protocol") }
        // Query 1 is outside the recall sample: answered, not scored.
        c.appendRequest()
        XCTAssertEqual(c.takeOutput().map { String(buffer: $0) }, "q0")
        c.appendRequest()
        XCTAssertEqual(c.takeOutput().map { String(buffer: $0) }, "q1")
        var fine = ByteBuffer(string: answer(#"{"ids":[["1","2"]]}"#))
        guard case .response(200, _, nil, _) = c.parse(&fine) else { return XCTFail("an answer") }
        XCTAssertNil(c.takeHits())
    }

    func testInAMixedPhaseAnInsertedRowCountsWhenNoFartherThanTheKthTrueNeighbour() {
        // Loaded: rows 0…3 on a line; query 0 at 0.1, its 2 true neighbours rows 0 (0.01) and 1 (0.81, squared).
        // Inserted later: row 4 at 0.5 (0.16: nearer than row 1) and row 5 at 3 (8.41: farther).
        let base = VectorSet(dim: 1, values: [0, 1, 2, 3])
        let reserve = ChromaRows(source: .stored(VectorSet(dim: 1, values: [0.5, 3])), first: 4, count: 2, generateDocuments: false,
                                 datasetName: "d")
        let queries: [Float] = [0.1, 2.9]
        let truth = GroundTruth.computed(base: base, queries: queries, k: 2, distance: .l2, bucketLimit: nil, sample: nil, seed: 1)
        XCTAssertEqual(truth.neighbours, [0, 1, 3, 2])
        let fresh = ChromaFreshRows(rows: reserve, base: base, queries: queries, truth: truth, distance: .l2)
        var c = codec(truth: truth.neighbours, fresh: fresh)
        for (body, expected) in [(#"{"ids":[["0","4"]]}"#, 2), (#"{"ids":[["0","5"]]}"#, 1), (#"{"ids":[["4","1"]]}"#, 2)] {
            c.appendRequest()
            _ = c.takeOutput()
            var wire = ByteBuffer(string: answer(body))
            guard case .response(200, _, nil, _) = c.parse(&wire) else { return XCTFail("an answer") }
            XCTAssertEqual(c.takeHits(), expected, body)
            // Every other query is query 1; answer it too.
            c.appendRequest()
            _ = c.takeOutput()
            var other = ByteBuffer(string: answer(#"{"ids":[["3","2"]]}"#))
            _ = c.parse(&other)
            XCTAssertEqual(c.takeHits(), 2)
        }
    }
}
