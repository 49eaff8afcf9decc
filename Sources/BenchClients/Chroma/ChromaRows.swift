import BenchCore

/// Rows an add request sends: a dataset's stored rows, or synthetic rows made on demand (the mixed phase's new
/// vectors, which continue the base rows' numbering and are never stored).
struct ChromaRows: Sendable {
    enum Source: Sendable {
        case stored(VectorSet)
        case generated(SyntheticVectors)
    }

    let source: Source
    /// Row numbers (and ids) start here: the mixed phase's rows follow the loaded ones.
    let first: Int
    /// Rows available; nil: as many as asked for (generated).
    let count: Int?
    /// Each row gets a short text document (`documents: true`), unless the dataset brings its own.
    let generateDocuments: Bool
    let datasetName: String

    var dim: Int {
        switch source {
        case .stored(let set): return set.dim
        case .generated(let generator): return generator.dim
        }
    }

    /// The id of row `row` (numbered from `first`).
    func id(_ row: Int) -> String {
        if case .stored(let set) = source, set.ids != nil { return set.id(row - first) }
        return String(row)
    }

    /// Calls `body` with row `row`'s values (`scratch` holds generated ones).
    func withRow(_ row: Int, scratch: UnsafeMutableBufferPointer<Float>, _ body: (UnsafeBufferPointer<Float>) -> Void) {
        switch source {
        case .stored(let set):
            let index = row - first
            set.values.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[index * set.dim..<(index + 1) * set.dim])) }
        case .generated(let generator):
            generator.fill(row: row, of: .base, into: scratch)
            body(UnsafeBufferPointer(scratch))
        }
    }

    func metadata(_ row: Int) -> String? {
        if case .stored(let set) = source { return set.metadata?[row - first] }
        return nil
    }

    var hasDocuments: Bool {
        if case .stored(let set) = source, set.documents != nil { return true }
        return generateDocuments
    }

    func document(_ row: Int) -> String {
        if case .stored(let set) = source, let documents = set.documents { return documents[row - first] }
        return "vector \(row) of \(datasetName)"
    }
}
