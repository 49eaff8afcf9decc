/// "Did you mean …" for unknown names: the nearest candidates by edit distance.
public enum Suggestions {
    /// Candidates close enough to `word` to be a likely typo, best first.
    public static func nearest(to word: String, in candidates: [String], limit: Int = 1) -> [String] {
        let lower = word.lowercased()
        let scored = candidates.compactMap { candidate -> (String, Int)? in
            let c = candidate.lowercased()
            let distance = editDistance(lower, c)
            // A prefix of a candidate is a likely abbreviation; otherwise allow roughly a third of the word to differ.
            let allowed = max(1, min(3, (max(lower.count, c.count) + 2) / 3))
            if c.hasPrefix(lower) && !lower.isEmpty { return (candidate, 0) }
            return distance <= allowed ? (candidate, distance) : nil
        }
        return scored.sorted { $0.1 != $1.1 ? $0.1 < $1.1 : $0.0 < $1.0 }.prefix(limit).map(\.0)
    }

    /// "; did you mean 'x'?" or an empty string.
    public static func didYouMean(_ word: String, in candidates: [String]) -> String {
        guard let best = nearest(to: word, in: candidates).first else { return "" }
        return "; did you mean '\(best)'?"
    }

    /// Optimal string alignment distance (Levenshtein plus adjacent transpositions).
    public static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous2 = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    current[j] = min(current[j], previous2[j - 2] + 1)
                }
            }
            (previous2, previous, current) = (previous, current, previous2)
        }
        return previous[b.count]
    }
}
