@testable import BenchCore
import Foundation
import XCTest

/// A cache's reply counts (memcached's hits, misses, stores) in results, and summed exactly when parts merge.
final class ResultsCacheTests: XCTestCase {
    private func counts(hits: Int, misses: Int, stored: Int, warmup: (Int, Int, Int) = (0, 0, 0)) -> CacheReplyCounts {
        var c = CacheReplyCounts()
        for _ in 0..<hits { c.record(.getHit, warmup: false) }
        for _ in 0..<misses { c.record(.getMiss, warmup: false) }
        for _ in 0..<stored { c.record(.setStored, warmup: false) }
        for _ in 0..<warmup.0 { c.record(.getHit, warmup: true) }
        for _ in 0..<warmup.1 { c.record(.getMiss, warmup: true) }
        for _ in 0..<warmup.2 { c.record(.setStored, warmup: true) }
        return c
    }

    /// A part's result as the client manager writes it, read back from its file.
    private func part(_ counts: CacheReplyCounts) throws -> RunResult {
        var metrics = counts.kindMetrics
        metrics["connections_opened"] = 25
        let result = RunCollector().finish(
            run: "r1", session: "part", recipe: .init(name: "memcached-get-set", kind: "memcached", sha256: "ab"),
            target: .init(given: "10.0.0.1:11211", host: "10.0.0.1", port: 11211, portName: nil),
            workload: .init(mode: "closed", concurrency: 25, duration: 2, warmup: 1, seed: 1),
            startedAt: Date(timeIntervalSince1970: 1_700_000_000), endedAt: Date(timeIntervalSince1970: 1_700_000_003),
            kindMetrics: metrics)
        return try RunResult.decode(from: result.jsonData())
    }

    func testKindMetricsNameEachCountAndReadBack() throws {
        let c = counts(hits: 3, misses: 1, stored: 2, warmup: (1, 0, 4))
        XCTAssertEqual(c.kindMetrics, ["get_hits": 3, "get_misses": 1, "set_stored": 2, "get_hit_ratio": 0.75,
                                       "warmup_get_hits": 1, "warmup_get_misses": 0, "warmup_set_stored": 4])
        XCTAssertEqual(CacheReplyCounts(kindMetrics: c.kindMetrics), c)
        // Without a warm-up, or without GETs, only what there is to say.
        XCTAssertEqual(counts(hits: 0, misses: 0, stored: 5).kindMetrics, ["get_hits": 0, "get_misses": 0, "set_stored": 5])
        XCTAssertNil(CacheReplyCounts(kindMetrics: ["connections_opened": 4]), "another kind's metrics")
    }

    func testPartsSumExactlyAndKeepTheirOwn() throws {
        let a = counts(hits: 700, misses: 300, stored: 100, warmup: (10, 20, 30))
        let b = counts(hits: 650, misses: 350, stored: 101, warmup: (11, 21, 31))
        let parts = try [part(a), part(b)]
        let merged = RunResult.merge(parts)
        XCTAssertEqual(CacheReplyCounts(kindMetrics: merged.kindMetrics), a + b)
        XCTAssertEqual(merged.kindMetrics["get_hits"], 1350)
        XCTAssertEqual(merged.kindMetrics["warmup_set_stored"], 61)
        XCTAssertEqual(merged.kindMetrics["get_hit_ratio"], 0.675, "recomputed from the sums, not averaged")
        XCTAssertEqual(merged.kindMetrics["per_part"], .array(parts.map { .object($0.kindMetrics) }))
        // A merged result merges again (a run of runs), to the same sums.
        XCTAssertEqual(CacheReplyCounts(kindMetrics: RunResult.merge([merged, try part(a)]).kindMetrics), a + b + a)

        // A part without counts (it failed before writing them) leaves nothing to sum: per_part only, as other kinds.
        var partial = parts
        partial[1].kindMetrics = ["connections_opened": 25]
        XCTAssertEqual(Array(RunResult.merge(partial).kindMetrics.keys), ["per_part"])
    }
}
