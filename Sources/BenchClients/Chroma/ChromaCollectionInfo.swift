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

/// A collection as `GET …/collections/{name}` describes it.
struct ChromaCollectionInfo: Sendable, Equatable {
    let id: String
    let name: String
    /// Set once the first vector is in (nil for an empty collection).
    let dimension: Int?
    /// nil when the server describes no HNSW index (another index type).
    let index: ChromaIndexSettings?

    init(id: String, name: String, dimension: Int?, index: ChromaIndexSettings?) {
        self.id = id
        self.name = name
        self.dimension = dimension
        self.index = index
    }

    init(json: Any) throws {
        guard let object = json as? [String: Any], let id = object["id"] as? String, let name = object["name"] as? String else {
            throw BenchError("chroma: a collection without id or name: \(json)")
        }
        self.id = id
        self.name = name
        dimension = object["dimension"] as? Int
        let configuration = object["configuration_json"] as? [String: Any]
        if let hnsw = configuration?["hnsw"] as? [String: Any], let spaceName = hnsw["space"] as? String,
           let space = ChromaDistance(rawValue: spaceName), let searchEf = hnsw["ef_search"] as? Int,
           let constructionEf = hnsw["ef_construction"] as? Int, let maxNeighbors = hnsw["max_neighbors"] as? Int {
            index = ChromaIndexSettings(space: space, searchEf: searchEf, constructionEf: constructionEf, maxNeighbors: maxNeighbors)
        } else {
            index = nil
        }
    }
}
