import BenchCore

/// The rows a mixed phase inserts while queries run, as the queries' scoring sees them.
///
/// The ground truth is over the vectors loaded before the phase. A row inserted since may rightly be among a
/// query's nearest: it counts as a hit when it is no farther than the query's k-th true neighbour (bench
/// computes its distance, as it knows every row it inserts). A new row that belongs in the answer but is missing
/// from it goes unnoticed, so recall under ingest reads slightly high, never low for a right answer.
struct ChromaFreshRows: Sendable {
    /// Rows at or above this were inserted during the phase.
    let firstNew: Int32
    let rows: ChromaRows
    /// The query vectors, `count × dim`.
    let queries: [Float]
    /// Per query, the distance of its k-th true neighbour (+infinity when the query is not scored).
    let kth: [Double]
    let distance: ChromaDistance

    init(rows: ChromaRows, base: VectorSet, queries: [Float], truth: GroundTruth, distance: ChromaDistance) {
        firstNew = Int32(rows.first)
        self.rows = rows
        self.queries = queries
        self.distance = distance
        let dim = base.dim, k = truth.k
        var kth = [Double](repeating: .infinity, count: queries.count / dim)
        base.values.withUnsafeBufferPointer { x in
            queries.withUnsafeBufferPointer { q in
                for i in kth.indices where truth.isScored(i) {
                    // The last true neighbour there is (a filtered query may have fewer than k; -1 pads).
                    guard let last = truth.neighbours[i * k..<(i + 1) * k].last(where: { $0 >= 0 }) else { continue }
                    kth[i] = ExactNeighbours.exactDistance(UnsafeBufferPointer(rebasing: q[i * dim..<(i + 1) * dim]),
                                                           UnsafeBufferPointer(rebasing: x[Int(last) * dim..<(Int(last) + 1) * dim]), distance)
                }
            }
        }
        self.kth = kth
    }

    /// Whether `row`, if it is an inserted one, is at least as near `query` as its k-th true neighbour.
    func isNear(row: Int32, query: Int, scratch: inout [Float]) -> Bool {
        guard row >= firstNew, rows.count.map({ Int(row) < rows.first + $0 }) ?? true else { return false }
        let dim = rows.dim
        return scratch.withUnsafeMutableBufferPointer { buffer in
            var near = false
            rows.withRow(Int(row), scratch: buffer) { vector in
                queries.withUnsafeBufferPointer { q in
                    let d = ExactNeighbours.exactDistance(UnsafeBufferPointer(rebasing: q[query * dim..<(query + 1) * dim]), vector, distance)
                    // The same tolerance as the ground-truth file check: float32 rows, distances in double.
                    near = d <= kth[query] + Swift.max(1e-6, abs(kth[query]) * 1e-4)
                }
            }
            return near
        }
    }
}
