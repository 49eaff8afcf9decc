@testable import BenchClients
import BenchCore
import Foundation
import XCTest

/// Exact k-NN (the ground truth) and recall, against examples worked out by hand and against a naive search.
final class ExactNeighboursTests: XCTestCase {
    // Five points in the plane; buckets are their rows (0…4).
    private let base = VectorSet(dim: 2, values: [0, 0, 1, 0, 0, 2, 3, 3, -1, -1])
    private let query: [Float] = [0.9, 0.1]

    func testHandCheckedNeighboursInEachDistance() {
        // Squared l2 from (0.9, 0.1): row1 0.02, row0 0.82, row2 4.42, row4 4.82, row3 12.82.
        XCTAssertEqual(ExactNeighbours.search(base: base, queries: query, k: 3, distance: .l2), [1, 0, 2])
        // 1 − q·x: q·x is 0, 0.9, 0.2, 3.0, −1.0, so row3, row1, row2 come first.
        XCTAssertEqual(ExactNeighbours.search(base: base, queries: query, k: 3, distance: .ip), [3, 1, 2])
        // 1 − cosine: row1 0.006, row3 0.219, row2 0.890, row0 (zero vector) 1, row4 1.781.
        XCTAssertEqual(ExactNeighbours.search(base: base, queries: query, k: 3, distance: .cosine), [1, 3, 2])
        // Two queries at once, the second (0, 2.1): row2 0.01, row0 4.41, row1 5.41.
        XCTAssertEqual(ExactNeighbours.search(base: base, queries: query + [0, 2.1], k: 3, distance: .l2), [1, 0, 2, 2, 0, 1])
        // Filtered to buckets below 2 (rows 0 and 1): only two qualify, the third place is empty.
        XCTAssertEqual(ExactNeighbours.search(base: base, queries: query, k: 3, distance: .l2, bucketLimit: 2), [1, 0, -1])
    }

    func testTheBlockedScanAgreesWithANaiveSearchAcrossBlockAndTileEdges() {
        // 600 rows (two 256-row blocks and a partial one), dimension 19 (no multiple of 8), 13 queries (no multiple of 6).
        let generator = SyntheticVectors(shape: .uniform, dim: 19, seed: 7)
        let set = generator.rows(0..<600)
        let queries = generator.rows(0..<13, of: .queries).values
        for distance in ChromaDistance.allCases {
            for limit in [nil, 37] as [Int?] {
                let fast = ExactNeighbours.search(base: set, queries: queries, k: 10, distance: distance, bucketLimit: limit)
                var naive: [Int32] = []
                set.values.withUnsafeBufferPointer { x in
                    queries.withUnsafeBufferPointer { q in
                        for i in 0..<13 {
                            let qi = UnsafeBufferPointer(rebasing: q[i * 19..<(i + 1) * 19])
                            let ranked = (0..<600).filter { limit == nil || $0 % 100 < limit! }.map { row in
                                (ExactNeighbours.exactDistance(qi, UnsafeBufferPointer(rebasing: x[row * 19..<(row + 1) * 19]), distance), row)
                            }.sorted { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
                            naive += ranked.prefix(10).map { Int32($0.1) }
                        }
                    }
                }
                XCTAssertEqual(fast, naive, "\(distance) limit \(String(describing: limit))")
            }
        }
    }

    func testGroundTruthScoresASeededSampleOfQueries() {
        let generator = SyntheticVectors(shape: .clustered(clusters: 4, std: 0.1), dim: 8, seed: 3)
        let set = generator.rows(0..<200)
        let queries = generator.rows(0..<20, of: .queries).values
        let all = GroundTruth.computed(base: set, queries: queries, k: 5, distance: .l2, bucketLimit: nil, sample: nil, seed: 1)
        XCTAssertEqual(all.scored, 20)
        let some = GroundTruth.computed(base: set, queries: queries, k: 5, distance: .l2, bucketLimit: nil, sample: 6, seed: 1)
        XCTAssertEqual(some.scored, 6)
        XCTAssertEqual((0..<20).filter(some.isScored).count, 6)
        for q in (0..<20).filter(some.isScored) {
            XCTAssertEqual(Array(some.neighbours[q * 5..<(q + 1) * 5]), Array(all.neighbours[q * 5..<(q + 1) * 5]))
        }
        // The same seed picks the same queries.
        XCTAssertEqual(GroundTruth.computed(base: set, queries: queries, k: 5, distance: .l2, bucketLimit: nil, sample: 6, seed: 1).neighbours,
                       some.neighbours)
    }

    func testRecallCountsGiveMeanFifthPercentileAndMinimumAndMergeExactly() {
        // Answers with 10, 10, 9, 7 and 10 of 10 true neighbours.
        var a = RecallSnapshot(k: 10)
        for hits in [10, 10, 9] { a.add(hits: hits) }
        var b = RecallSnapshot(k: 10)
        for hits in [7, 10] { b.add(hits: hits) }
        a.merge(b)
        XCTAssertEqual(a.scored, 5)
        XCTAssertEqual(a.mean, 46.0 / 50.0, accuracy: 1e-12)
        XCTAssertEqual(a.min, 0.7)
        // Nearest rank: 5% of 5 answers is the first, the worst.
        XCTAssertEqual(a.percentile(5), 0.7)
        XCTAssertEqual(a.percentile(50), 1.0)
        XCTAssertEqual(RecallSnapshot(kindMetrics: a.kindMetrics), a)
        XCTAssertEqual(a.kindMetrics["recall_mean"], .number(0.92))
    }

    func testMergedPartsRecomputeRecallFromTheirCounts() {
        func part(_ hits: [Int]) -> RunResult {
            var result = RunResult(run: "r1", session: "s", recipe: .init(name: "c", kind: "chroma", sha256: "0"),
                                   target: .init(given: "s1", host: "h", port: 1), workload: .init(mode: "closed", concurrency: 1),
                                   startedAt: Date(timeIntervalSince1970: 0), endedAt: Date(timeIntervalSince1970: 1))
            var recall = RecallSnapshot(k: 4)
            for h in hits { recall.add(hits: h) }
            result.kindMetrics = recall.kindMetrics
            return result
        }
        let merged = RunResult.merge([part([4, 4]), part([2, 3])])
        XCTAssertEqual(merged.kindMetrics["recall_mean"], .number(13.0 / 16.0))
        XCTAssertEqual(merged.kindMetrics["recall_min"], .number(0.5))
        XCTAssertEqual(merged.kindMetrics["recall_scored"], .number(4))
    }
}
