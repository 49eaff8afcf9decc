import BenchCore
import CVectorKernels

/// Exact k nearest neighbours by brute force, in the collection's own distance: the ground truth recall is
/// measured against.
///
/// The scan runs in `bench_topk_scores` (C, AVX2): one matrix product, queries × vectors, reduced block by block
/// into the best few candidates per query, so memory is the dataset plus a handful of candidates per query. The
/// scan ranks by a fast form of the distance (for l2, |x|² − 2 q·x in float32), which can order near-ties
/// wrongly; it keeps a few more than k candidates, and those are ranked again by the exact distance in double
/// precision (ties by row), which decides.
public enum ExactNeighbours {
    /// Rows of `base` nearest each query, `k` per query in order (row numbers; -1 pads when fewer rows qualify).
    ///
    /// - Parameters:
    ///   - queries: `count × base.dim` values.
    ///   - bucketLimit: only rows whose bucket (row mod 100) is below this qualify (a filtered query); nil: all.
    public static func search(base: VectorSet, queries: [Float], k: Int, distance: ChromaDistance,
                              bucketLimit: Int? = nil) -> [Int32] {
        let dim = base.dim, n = base.count, nq = queries.count / dim
        guard nq > 0, k > 0 else { return [] }
        // score = bias + scale · (q·x), ranked ascending like the distance.
        var bias = [Float](repeating: 0, count: n)
        var scale = [Float](repeating: -1, count: n)
        let norms = squaredNorms(base)
        switch distance {
        case .l2:
            bias = norms
            scale = [Float](repeating: -2, count: n)
        case .ip:
            break
        case .cosine:
            for j in 0..<n { scale[j] = norms[j] > 0 ? -1 / norms[j].squareRoot() : 0 }
        }
        if let limit = bucketLimit {
            for j in 0..<n where j % 100 >= limit { bias[j] = .infinity }
        }
        let wide = min(n, k + max(8, k / 2))
        var candidates = [Int32](repeating: -1, count: nq * wide)
        var scores = [Float](repeating: 0, count: nq * wide)
        base.values.withUnsafeBufferPointer { x in
            queries.withUnsafeBufferPointer { q in
                candidates.withUnsafeMutableBufferPointer { ids in
                    scores.withUnsafeMutableBufferPointer { s in
                        bench_topk_scores(x.baseAddress, Int64(n), Int32(dim), q.baseAddress, Int32(nq), bias, scale,
                                          Int32(wide), ids.baseAddress, s.baseAddress)
                    }
                }
            }
        }
        var result = [Int32](repeating: -1, count: nq * k)
        base.values.withUnsafeBufferPointer { x in
            queries.withUnsafeBufferPointer { q in
                for i in 0..<nq {
                    let query = UnsafeBufferPointer(rebasing: q[i * dim..<(i + 1) * dim])
                    var ranked: [(Double, Int32)] = []
                    for c in 0..<wide {
                        let row = candidates[i * wide + c]
                        guard row >= 0 else { break }
                        let vector = UnsafeBufferPointer(rebasing: x[Int(row) * dim..<(Int(row) + 1) * dim])
                        ranked.append((exactDistance(query, vector, distance), row))
                    }
                    ranked.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
                    for (j, pair) in ranked.prefix(k).enumerated() { result[i * k + j] = pair.1 }
                }
            }
        }
        return result
    }

    /// The distance Chroma reports for `distance`, in double precision: squared Euclidean, 1 − cosine, 1 − q·x.
    public static func exactDistance(_ q: UnsafeBufferPointer<Float>, _ x: UnsafeBufferPointer<Float>,
                                     _ distance: ChromaDistance) -> Double {
        var dot = 0.0, qq = 0.0, xx = 0.0, l2 = 0.0
        for d in 0..<q.count {
            let a = Double(q[d]), b = Double(x[d])
            dot += a * b
            qq += a * a
            xx += b * b
            l2 += (a - b) * (a - b)
        }
        switch distance {
        case .l2: return l2
        case .ip: return 1 - dot
        case .cosine: return qq > 0 && xx > 0 ? 1 - dot / (qq.squareRoot() * xx.squareRoot()) : 1
        }
    }

    /// Whether the fast scan uses the CPU's AVX2 and FMA (for reports of its speed).
    public static var usesAVX2: Bool { bench_topk_uses_avx2() != 0 }

    static func squaredNorms(_ base: VectorSet) -> [Float] {
        let dim = base.dim
        var norms = [Float](repeating: 0, count: base.count)
        base.values.withUnsafeBufferPointer { x in
            for j in 0..<base.count {
                var sum: Float = 0
                for d in 0..<dim { sum += x[j * dim + d] * x[j * dim + d] }
                norms[j] = sum
            }
        }
        return norms
    }
}
