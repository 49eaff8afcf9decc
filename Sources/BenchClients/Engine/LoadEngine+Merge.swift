import BenchCore

extension LoadEngine {
    /// One snapshot from the snapshots of several event loops.
    static func mergeSnapshots(_ snapshots: [AggregateSnapshot]) -> AggregateSnapshot {
        var merged = snapshots[0]
        for other in snapshots.dropFirst() { merged.merge(other) }
        return merged
    }

    /// The slices of several loops merged second by second (a second can have a warm-up and a measured slice).
    static func mergeSeconds(_ perLoop: [[SecondSlice]]) -> [SecondSlice] {
        var merged = perLoop[0]
        for other in perLoop.dropFirst() {
            for slice in other {
                if let i = merged.firstIndex(where: { $0.second == slice.second && $0.warmup == slice.warmup }) {
                    merged[i].merge(slice)
                } else {
                    merged.append(slice)
                }
            }
        }
        return merged.sorted { ($0.second, $0.warmup ? 0 : 1) < ($1.second, $1.warmup ? 0 : 1) }
    }
}
