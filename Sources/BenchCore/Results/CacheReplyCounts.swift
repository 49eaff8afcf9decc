/// What a cache's answers said (hits, misses, stores), measured and in the warm-up: a memcached run's
/// `kind_metrics`, summed exactly when a run's parts are merged.
///
/// Failed answers (error replies, timeouts) are not here: the result's error counts have them.
public struct CacheReplyCounts: Sendable, Equatable {
    /// One answer's meaning.
    public enum Reply: Int, CaseIterable, Sendable {
        /// A GET that found its key (`VALUE … END`).
        case getHit
        /// A GET of a key the cache does not hold (`END` alone): an answer, not an error.
        case getMiss
        /// A SET the cache kept (`STORED`).
        case setStored

        /// Its name in `kind_metrics` (the warm-up's with `warmup_` before it).
        public var key: String {
            switch self {
            case .getHit: "get_hits"
            case .getMiss: "get_misses"
            case .setStored: "set_stored"
            }
        }
    }

    /// Answers to measured requests. (Plain fields, not an array: counting runs once per answer.)
    public var getHits = 0
    public var getMisses = 0
    public var setStored = 0
    /// Answers to warm-up requests: not measured, but the server saw them (its own counters include them).
    public var warmupGetHits = 0
    public var warmupGetMisses = 0
    public var warmupSetStored = 0

    public init() {}

    /// Counts one answer.
    @inline(__always)
    public mutating func record(_ reply: Reply, warmup: Bool) {
        switch (reply, warmup) {
        case (.getHit, false): getHits &+= 1
        case (.getMiss, false): getMisses &+= 1
        case (.setStored, false): setStored &+= 1
        case (.getHit, true): warmupGetHits &+= 1
        case (.getMiss, true): warmupGetMisses &+= 1
        case (.setStored, true): warmupSetStored &+= 1
        }
    }

    /// Measured answers of one meaning.
    public subscript(_ reply: Reply) -> Int {
        switch reply {
        case .getHit: getHits
        case .getMiss: getMisses
        case .setStored: setStored
        }
    }

    /// Warm-up answers of one meaning.
    public func warmup(_ reply: Reply) -> Int {
        switch reply {
        case .getHit: warmupGetHits
        case .getMiss: warmupGetMisses
        case .setStored: warmupSetStored
        }
    }

    private var hasWarmup: Bool { warmupGetHits + warmupGetMisses + warmupSetStored > 0 }

    /// The counts of both, added.
    public static func + (a: CacheReplyCounts, b: CacheReplyCounts) -> CacheReplyCounts {
        var sum = CacheReplyCounts()
        sum.getHits = a.getHits + b.getHits
        sum.getMisses = a.getMisses + b.getMisses
        sum.setStored = a.setStored + b.setStored
        sum.warmupGetHits = a.warmupGetHits + b.warmupGetHits
        sum.warmupGetMisses = a.warmupGetMisses + b.warmupGetMisses
        sum.warmupSetStored = a.warmupSetStored + b.warmupSetStored
        return sum
    }

    /// `get_hits`, `get_misses`, `set_stored`, `get_hit_ratio` (of the measured GETs, when there were any) and,
    /// when the warm-up had answers, the same counts as `warmup_get_hits`, … .
    public var kindMetrics: [String: JSONValue] {
        var metrics: [String: JSONValue] = [:]
        for reply in Reply.allCases {
            metrics[reply.key] = .number(Double(self[reply]))
            if hasWarmup { metrics["warmup_" + reply.key] = .number(Double(warmup(reply))) }
        }
        let gets = self[.getHit] + self[.getMiss]
        // Four decimals: the counts beside it are exact, the ratio is for reading.
        if gets > 0 { metrics["get_hit_ratio"] = .number((Double(self[.getHit]) / Double(gets) * 10_000).rounded() / 10_000) }
        return metrics
    }

    /// The counts a result's `kind_metrics` were written from; nil when it has none (another kind's result).
    public init?(kindMetrics m: [String: JSONValue]) {
        func count(_ key: String) -> Int? { m[key]?.number.map { Int($0) } }
        guard let hits = count("get_hits"), let misses = count("get_misses"), let stored = count("set_stored") else { return nil }
        getHits = hits
        getMisses = misses
        setStored = stored
        warmupGetHits = count("warmup_get_hits") ?? 0
        warmupGetMisses = count("warmup_get_misses") ?? 0
        warmupSetStored = count("warmup_set_stored") ?? 0
    }
}
