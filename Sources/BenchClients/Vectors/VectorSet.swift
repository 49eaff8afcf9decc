/// Vectors of one dimension, row-major, with what a collection stores beside each one.
///
/// Ids are the row numbers (`"0"`, `"1"`, …) unless the dataset brings its own (JSONL); metadata is bench's
/// `bucket` (row mod 100, which filtered queries select on) plus whatever the dataset brings.
public struct VectorSet: Sendable {
    public let dim: Int
    /// `count × dim` values.
    public private(set) var values: [Float]
    /// The dataset's own ids, one per row; nil: the row number.
    public private(set) var ids: [String]?
    /// Extra metadata members per row, as JSON text without braces (`"genre":"jazz"`); nil: none.
    public private(set) var metadata: [String]?
    /// A document per row; nil: none.
    public private(set) var documents: [String]?

    public init(dim: Int, values: [Float], ids: [String]? = nil, metadata: [String]? = nil, documents: [String]? = nil) {
        precondition(dim > 0 && values.count % dim == 0, "values must hold whole rows")
        self.dim = dim
        self.values = values
        self.ids = ids
        self.metadata = metadata
        self.documents = documents
    }

    public var count: Int { values.count / dim }

    /// Row `i` as a copy (slow paths only; the hot paths read `values` directly).
    public func row(_ i: Int) -> [Float] { Array(values[i * dim..<(i + 1) * dim]) }

    /// The id of row `i` in the collection.
    public func id(_ i: Int) -> String { ids?[i] ?? String(i) }

    /// The rows `range`, with their ids, metadata and documents.
    public func rows(_ range: Range<Int>) -> VectorSet {
        VectorSet(dim: dim, values: Array(values[range.lowerBound * dim..<range.upperBound * dim]),
                  ids: ids.map { Array($0[range]) }, metadata: metadata.map { Array($0[range]) },
                  documents: documents.map { Array($0[range]) })
    }
}
