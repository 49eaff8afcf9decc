/// How many of the true k nearest neighbours each scored answer of a vector search returned: a count per
/// possible number of hits (0…k), so the distribution is exact and merges exactly across event loops and nodes.
public struct RecallSnapshot: Sendable, Equatable {
    /// The k of recall@k.
    public let k: Int
    /// `counts[h]`: answers that returned `h` of the k true neighbours.
    public private(set) var counts: [Int]

    public init(k: Int) {
        self.k = max(1, k)
        counts = [Int](repeating: 0, count: self.k + 1)
    }

    /// Counts one answer with `hits` true neighbours (clamped to 0…k).
    @inline(__always)
    public mutating func add(hits: Int) {
        counts[Swift.min(Swift.max(hits, 0), k)] &+= 1
    }

    /// Adds another loop's (or node's) answers: exact. Both must have the same k.
    public mutating func merge(_ other: RecallSnapshot) {
        precondition(other.k == k, "recall@\(other.k) cannot merge into recall@\(k)")
        for h in counts.indices { counts[h] += other.counts[h] }
    }

    /// Answers scored.
    public var scored: Int { counts.reduce(0, +) }

    /// Mean recall@k over the scored answers (0 when none were).
    public var mean: Double {
        let n = scored
        guard n > 0 else { return 0 }
        let hits = counts.enumerated().reduce(0) { $0 + $1.offset * $1.element }
        return Double(hits) / Double(n * k)
    }

    /// The recall at or below which `percent`% of the answers lie (nearest rank, from the lowest).
    public func percentile(_ percent: Double) -> Double {
        let n = scored
        guard n > 0 else { return 0 }
        let rank = max(1, Int((percent / 100 * Double(n)).rounded(.up)))
        var seen = 0
        for (h, count) in counts.enumerated() {
            seen += count
            if seen >= rank { return Double(h) / Double(k) }
        }
        return 1
    }

    /// The worst answer's recall.
    public var min: Double {
        guard let h = counts.firstIndex(where: { $0 > 0 }) else { return 0 }
        return Double(h) / Double(k)
    }

    /// The figures a result's `kind_metrics` carry: `recall_k`, `recall_mean`, `recall_p5`, `recall_min`,
    /// `recall_scored`, and `recall_counts` (the distribution itself, so that parts merge exactly).
    public var kindMetrics: [String: JSONValue] {
        func rounded(_ v: Double) -> JSONValue { .number((v * 1e6).rounded() / 1e6) }
        return [
            "recall_k": .number(Double(k)),
            "recall_mean": rounded(mean),
            "recall_p5": rounded(percentile(5)),
            "recall_min": rounded(min),
            "recall_scored": .number(Double(scored)),
            "recall_counts": .array(counts.map { .number(Double($0)) }),
        ]
    }

    /// The snapshot `kindMetrics` were written from; nil when they hold none (another kind, or recall was off).
    public init?(kindMetrics m: [String: JSONValue]) {
        guard let k = m["recall_k"]?.number.flatMap({ Int(exactly: $0) }), k >= 1,
              case .array(let values)? = m["recall_counts"], values.count == k + 1 else { return nil }
        let counts = values.compactMap { $0.number.flatMap { Int(exactly: $0) } }
        guard counts.count == k + 1, counts.allSatisfy({ $0 >= 0 }) else { return nil }
        self.k = k
        self.counts = counts
    }
}
