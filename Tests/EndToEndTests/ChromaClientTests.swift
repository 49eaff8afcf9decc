import Foundation
import XCTest

/// `client run chroma-client` against a real Chroma that bench starts (the venv scripts/install-chroma.sh makes):
/// load, then queries scored for recall; a tiny ef_search visibly worse than a large one; reuse; bad input.
final class ChromaClientTests: XCTestCase {
    var bench: BenchProcess!

    override func setUpWithError() throws { bench = try BenchProcess() }

    override func tearDown() {
        _ = try? bench.run(["--cleanup"])
        bench.cleanUp()
    }

    private func kindMetrics(_ run: String) throws -> [String: Any] {
        let data = try Data(contentsOf: bench.directory.appendingPathComponent("sessions/vec/runs/\(run).json"))
        let result = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        return try XCTUnwrap(result["kind_metrics"] as? [String: Any])
    }

    func testLoadThenQueryReportsRecallAndATinySearchEfShowsInIt() throws {
        // A truncated vector file: two 36-byte records of dimension 8, cut in the second.
        var record: [UInt8] = withUnsafeBytes(of: Int32(8).littleEndian, Array.init)
        for value in 0..<8 { record += withUnsafeBytes(of: Float(value).bitPattern.littleEndian, Array.init) }
        try Data(record + record.prefix(20)).write(to: bench.directory.appendingPathComponent("cut.fvecs"))

        let small = "--set vectors=3000 --set dim=32 --set queries=200"
        let uniform = "--set dataset=uniform --set vectors=5000 --set dim=32 --set queries=300"
        let result = try bench.run(["--session", "vec", "--continue-on-error"], stdin: """
        server start chroma
        client run chroma-client --target s1 --requests 400 --warmup 0s \(small)
        client run chroma-client --target s1 --requests 300 --warmup 0s \(uniform) --set search_ef=1
        client run chroma-client --target s1 --requests 300 --warmup 0s \(uniform) --set search_ef=64
        client run chroma-client --target s1 --requests 100 --warmup 0s \(small) --set selectivity=0.1
        client run chroma-client --target s1 --requests 50 --warmup 0s --set vectors=200 --set dim=16 --set collection=mine
        client run chroma-client --target s1 --requests 50 --warmup 0s --set vectors=200 --set dim=24 --set collection=mine
        client run chroma-client --target s1 --requests 50 --set dataset=file --set dataset_path=cut.fvecs --set dim=auto
        show r1
        """)
        XCTAssertEqual(result.status, 1, "two commands fail on purpose\n\(result.stderr)")

        // Load, then queries: every answer of a small clustered set scored, recall near 1.
        let r1 = try kindMetrics("r1")
        XCTAssertEqual(r1["load_vectors"] as? Int, 3000)
        XCTAssertEqual(r1["load_failed_batches"] as? Int, 0)
        XCTAssertNotNil(r1["load_queryable_s"] as? Double)
        XCTAssertEqual(r1["recall_scored"] as? Int, 400)
        XCTAssertGreaterThanOrEqual(try XCTUnwrap(r1["recall_mean"] as? Double), 0.95, "\(r1)")
        XCTAssertEqual(r1["dataset_vectors"] as? Int, 3000)
        XCTAssertEqual(r1["dataset_dim"] as? Int, 32)
        XCTAssertEqual((r1["dataset_sha256"] as? String)?.count, 64)
        XCTAssertEqual(r1["collection_reused"] as? Bool, false)
        XCTAssertTrue(result.stdout.contains("recall_mean"), "show prints the recall")

        // The same index searched with ef_search 1 and 64: the tiny one misses neighbours the large one finds.
        let tiny = try XCTUnwrap(try kindMetrics("r2")["recall_mean"] as? Double)
        let large = try XCTUnwrap(try kindMetrics("r3")["recall_mean"] as? Double)
        print("chroma recall@10: clustered \(r1["recall_mean"] ?? "-"), uniform ef_search 1: \(tiny), ef_search 64: \(large)")
        XCTAssertLessThan(tiny + 0.15, large, "ef_search 1: \(tiny), 64: \(large)")
        XCTAssertGreaterThan(large, 0.9)

        // The first collection is reused (same data, same index), queried with a 10% filter.
        let r4 = try kindMetrics("r4")
        XCTAssertEqual(r4["collection_reused"] as? Bool, true)
        XCTAssertNil(r4["load_vectors"], "no load phase when reused")
        XCTAssertEqual(r4["filter"] as? String, #"{"bucket":{"$lt":10}}"#)
        XCTAssertGreaterThanOrEqual(try XCTUnwrap(r4["recall_mean"] as? Double), 0.9)

        // A named collection of another dimension is refused, saying how to go on; a cut file names the offset.
        XCTAssertTrue(result.stderr.contains("collection 'mine' holds vectors of dimension 16, the dataset's have 24: "
            + "--set recreate=true replaces it, --set collection=NAME uses another"), result.stderr)
        XCTAssertTrue(result.stderr.contains("cut.fvecs: truncated: record 1 at byte offset 36 has 20 of its 36 bytes"), result.stderr)
    }
}
