import BenchCore

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
