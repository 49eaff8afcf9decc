import BenchCore

/// The true k nearest neighbours of the queries whose answers are scored for recall: computed by bench
/// (`ExactNeighbours`) or read from the dataset's `.ivecs` file, which is checked against the data first.
public struct GroundTruth: Sendable {
    public let k: Int
    /// `queries × k` row numbers of the base vectors; a query that is not scored has -1s.
    public let neighbours: [Int32]
    /// Queries that are scored.
    public let scored: Int
    /// `computed` or the file's path, for results.
    public let source: String

    public func isScored(_ query: Int) -> Bool { neighbours[query * k] >= 0 }

    /// Computes the neighbours of `sample` queries (a seeded choice; nil: all) by brute force.
    public static func computed(base: VectorSet, queries: [Float], k: Int, distance: ChromaDistance, bucketLimit: Int?,
                                sample: Int?, seed: UInt64) -> GroundTruth {
        let dim = base.dim, nq = queries.count / dim
        let chosen = Self.sample(sample.map { min($0, nq) } ?? nq, of: nq, seed: seed)
        var picked = [Float]()
        picked.reserveCapacity(chosen.count * dim)
        for q in chosen { picked += queries[q * dim..<(q + 1) * dim] }
        let found = ExactNeighbours.search(base: base, queries: picked, k: k, distance: distance, bucketLimit: bucketLimit)
        var neighbours = [Int32](repeating: -1, count: nq * k)
        for (i, q) in chosen.enumerated() {
            for j in 0..<k { neighbours[q * k + j] = found[i * k + j] }
        }
        return GroundTruth(k: k, neighbours: neighbours, scored: chosen.count, source: "computed")
    }

    /// Reads `path` (`.ivecs`, row i for query i) and checks it belongs to these vectors and queries: one row per
    /// query, at least k ids each, every id a row of `base`, and for the first queries the file's nearest
    /// neighbour as near as bench's own. Only the first k ids of a row are used.
    public static func file(_ path: String, base: VectorSet, queries: [Float], k: Int, distance: ChromaDistance,
                            sample: Int?, seed: UInt64) throws(VectorFileError) -> GroundTruth {
        let dim = base.dim, nq = queries.count / dim
        let (rows, width, _) = try VectorFileReader.ids(at: path)
        let count = rows.count / width
        guard count == nq else {
            throw VectorFileError(path, "ground truth for \(count) queries, but there are \(nq) queries: it belongs to another dataset")
        }
        guard width >= k else {
            throw VectorFileError(path, "ground truth lists \(width) neighbours a query, fewer than n_results (\(k))")
        }
        if let bad = rows.firstIndex(where: { $0 < 0 || Int($0) >= base.count }) {
            throw VectorFileError(path, "row \(bad / width) (byte offset \(bad / width * (4 + 4 * width))) names vector \(rows[bad]), "
                + "but \(base.count) vectors are loaded: it belongs to another dataset, or vectors= loads only part of it")
        }
        // A file of the right shape may still be another dataset's: compare its nearest neighbours with bench's own.
        let checked = min(nq, 3)
        let own = ExactNeighbours.search(base: base, queries: Array(queries[0..<checked * dim]), k: 1, distance: distance)
        try base.values.withUnsafeBufferPointer { (x: UnsafeBufferPointer<Float>) throws(VectorFileError) in
            try queries.withUnsafeBufferPointer { (q: UnsafeBufferPointer<Float>) throws(VectorFileError) in
                for i in 0..<checked {
                    let query = UnsafeBufferPointer(rebasing: q[i * dim..<(i + 1) * dim])
                    func distanceTo(_ row: Int32) -> Double {
                        ExactNeighbours.exactDistance(query, UnsafeBufferPointer(rebasing: x[Int(row) * dim..<(Int(row) + 1) * dim]), distance)
                    }
                    let listed = rows[i * width], nearest = own[i]
                    let a = distanceTo(listed), b = distanceTo(nearest)
                    if a > b + max(1e-6, abs(b) * 1e-4) {
                        throw VectorFileError(path, "does not match the data: for query \(i) it lists vector \(listed) first "
                            + "(\(distance.rawValue) distance \(a)), but vector \(nearest) is nearer (\(b)); another dataset's, or another distance's")
                    }
                }
            }
        }
        let chosen = Set(Self.sample(sample.map { min($0, nq) } ?? nq, of: nq, seed: seed))
        var neighbours = [Int32](repeating: -1, count: nq * k)
        for q in chosen {
            for j in 0..<k { neighbours[q * k + j] = rows[q * width + j] }
        }
        return GroundTruth(k: k, neighbours: neighbours, scored: chosen.count, source: path)
    }

    /// `count` distinct numbers from 0..<total, ascending: all of them, or a seeded choice.
    static func sample(_ count: Int, of total: Int, seed: UInt64) -> [Int] {
        guard count < total else { return Array(0..<total) }
        var rng = SplitMix64(seed: seed ^ 0x5EED_0F_5A3B1E)
        var pool = Array(0..<total)
        for i in 0..<count {
            let j = i + rng.next(below: total - i)
            pool.swapAt(i, j)
        }
        return pool.prefix(count).sorted()
    }
}
