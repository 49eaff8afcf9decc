import BenchCore

/// The HNSW settings a collection is created with; a collection is reused only when they match.
public struct ChromaIndexSettings: Sendable, Equatable {
    public var space: ChromaDistance
    public var searchEf: Int
    public var constructionEf: Int
    public var maxNeighbors: Int

    public init(_ params: ChromaParams) {
        space = params.distance
        searchEf = params.searchEf
        constructionEf = params.constructionEf
        maxNeighbors = params.maxNeighbors
    }

    public init(space: ChromaDistance, searchEf: Int, constructionEf: Int, maxNeighbors: Int) {
        self.space = space
        self.searchEf = searchEf
        self.constructionEf = constructionEf
        self.maxNeighbors = maxNeighbors
    }

    /// `space l2, ef_search 100, …`, for messages.
    public var text: String {
        "space \(space.rawValue), ef_search \(searchEf), ef_construction \(constructionEf), max_neighbors \(maxNeighbors)"
    }
}
