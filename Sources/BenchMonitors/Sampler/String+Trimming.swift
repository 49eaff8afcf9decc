extension String {
    /// Foundation-free trim of a set of characters at both ends.
    func trimming(_ set: String) -> String {
        var slice = Substring(self)
        while let first = slice.first, set.contains(first) { slice.removeFirst() }
        while let last = slice.last, set.contains(last) { slice.removeLast() }
        return String(slice)
    }
}

extension Substring {
    func trimming(_ set: String) -> String { String(self).trimming(set) }
}
