import BenchCore
import Foundation

/// Seeded vectors made up by bench: uniform in [-1, 1) per coordinate, or Gaussian blobs around centres that
/// are themselves uniform in [-1, 1).
///
/// Every row is a function of (seed, stream, row number) alone, so any row can be made without the ones before
/// it: the mixed phase's new vectors continue the base rows, and queries come from a stream of their own (the
/// same distribution, never the same vectors).
public struct SyntheticVectors: Sendable {
    public enum Shape: Sendable, Equatable {
        case uniform
        case clustered(clusters: Int, std: Double)
    }

    public let shape: Shape
    public let dim: Int
    public let seed: UInt64
    /// Centres of a clustered set, `clusters × dim`.
    private let centres: [Float]

    /// The stream of base rows (and the mixed phase's new rows after them), and the one of queries.
    public enum Stream: UInt64, Sendable {
        case base = 1, queries = 2, centres = 3
    }

    public init(shape: Shape, dim: Int, seed: UInt64) {
        self.shape = shape
        self.dim = dim
        self.seed = seed
        if case .clustered(let clusters, _) = shape {
            var values = [Float](repeating: 0, count: clusters * dim)
            for c in 0..<clusters {
                var rng = Self.generator(seed: seed, stream: .centres, row: c)
                for d in 0..<dim { values[c * dim + d] = Float(rng.nextUnitInterval() * 2 - 1) }
            }
            centres = values
        } else {
            centres = []
        }
    }

    /// A readable name for results: `clustered-100x0.5-seed1`, `uniform-seed1`.
    public var name: String {
        switch shape {
        case .uniform: return "uniform-seed\(seed)"
        case .clustered(let clusters, let std): return "clustered-\(clusters)x\(RecipeNumber.text(std))-seed\(seed)"
        }
    }

    /// Rows `range` of `stream`.
    public func rows(_ range: Range<Int>, of stream: Stream = .base) -> VectorSet {
        var values = [Float](repeating: 0, count: range.count * dim)
        values.withUnsafeMutableBufferPointer { out in
            for (i, row) in range.enumerated() {
                fill(row: row, of: stream, into: UnsafeMutableBufferPointer(rebasing: out[i * dim..<(i + 1) * dim]))
            }
        }
        return VectorSet(dim: dim, values: values)
    }

    /// Writes row `row` of `stream` into `out` (`dim` values).
    public func fill(row: Int, of stream: Stream, into out: UnsafeMutableBufferPointer<Float>) {
        var rng = Self.generator(seed: seed, stream: stream, row: row)
        switch shape {
        case .uniform:
            for d in 0..<dim { out[d] = Float(rng.nextUnitInterval() * 2 - 1) }
        case .clustered(let clusters, let std):
            let centre = rng.next(below: clusters) * dim
            var d = 0
            while d < dim {
                // Box–Muller: two standard normals from two uniforms.
                let u1 = max(rng.nextUnitInterval(), 0x1.0p-53), u2 = rng.nextUnitInterval()
                let radius = (-2 * Foundation.log(u1)).squareRoot() * std
                out[d] = centres[centre + d] + Float(radius * Foundation.cos(2 * Double.pi * u2))
                if d + 1 < dim { out[d + 1] = centres[centre + d + 1] + Float(radius * Foundation.sin(2 * Double.pi * u2)) }
                d += 2
            }
        }
    }

    /// A generator for one row: the seed, the stream and the row mixed (SplitMix64's own finaliser spreads them).
    private static func generator(seed: UInt64, stream: Stream, row: Int) -> SplitMix64 {
        var mix = SplitMix64(seed: seed ^ (stream.rawValue &* 0xD1B5_4A32_D192_ED03))
        return SplitMix64(seed: mix.next() ^ UInt64(truncatingIfNeeded: row) &* 0x9E37_79B9_7F4A_7C15)
    }
}
