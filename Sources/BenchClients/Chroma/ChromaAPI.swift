import BenchCore
import BenchNetwork
import Foundation

/// Chroma's HTTP API v2, the calls around a run (collections, counts, a probe query, deleting inserted rows), on
/// BenchNetwork's slow-path client. The measured requests (add batches, queries) go through the load engine.
///
/// Shapes as Chroma 1.5 serves them (checked against the running server and `chromadb/api/fastapi.py`):
/// `POST …/collections {name, configuration: {hnsw: {…}}}`, `GET …/collections/{name}`, `DELETE …/collections/{name}`,
/// `GET …/collections/{id}/count` (a bare number), `POST …/collections/{id}/query {query_embeddings, n_results,
/// include, where}`, `POST …/collections/{id}/delete {ids}`, `GET /api/v2/pre-flight-checks`.
struct ChromaAPI: Sendable {
    let host: String
    let port: Int
    var client = SlowHTTPClient(timeout: .seconds(120), connectTimeout: .seconds(10))

    /// Collections live under the default tenant and database, as the official client's are.
    static let databasePath = "/api/v2/tenants/default_tenant/databases/default_database"

    var hostHeader: String { port == 80 ? host : "\(host):\(port)" }

    /// The most records one add may carry (`max_batch_size` of the pre-flight checks); nil when the server does not say.
    func maxBatchSize() async throws -> Int? {
        let object = try json(try await send("GET", "/api/v2/pre-flight-checks"), expect: [200])
        return (object as? [String: Any])?["max_batch_size"] as? Int
    }

    /// The collection named `name`, or nil when there is none.
    func collection(named name: String) async throws -> ChromaCollectionInfo? {
        let response = try await send("GET", "\(Self.databasePath)/collections/\(name)")
        if response.status == 404 { return nil }
        return try ChromaCollectionInfo(json: try json(response, expect: [200]))
    }

    /// Creates a collection with its HNSW index settings (given at creation: Chroma 1.5 keeps a changed
    /// `ef_search` of an existing collection's loaded index until the server restarts).
    func createCollection(_ name: String, index: ChromaIndexSettings) async throws -> ChromaCollectionInfo {
        let body: [String: Any] = [
            "name": name,
            "configuration": ["hnsw": [
                "space": index.space.rawValue, "ef_search": index.searchEf, "ef_construction": index.constructionEf,
                "max_neighbors": index.maxNeighbors,
            ]],
            "get_or_create": false,
        ]
        return try ChromaCollectionInfo(json: try json(try await send("POST", "\(Self.databasePath)/collections", json: body),
                                                             expect: [200, 201]))
    }

    func deleteCollection(_ name: String) async throws {
        _ = try json(try await send("DELETE", "\(Self.databasePath)/collections/\(name)"), expect: [200, 204])
    }

    func count(_ id: String) async throws -> Int {
        let response = try await send("GET", "\(Self.databasePath)/collections/\(id)/count")
        guard let count = try json(response, expect: [200]) as? Int else {
            throw BenchError("chroma at \(hostHeader): count of collection \(id) is not a number: \(response.text.prefix(80))")
        }
        return count
    }

    /// The ids a top-k query returns (the probe that the collection answers).
    func query(_ id: String, vector: [Float], k: Int) async throws -> [String] {
        let body: [String: Any] = ["query_embeddings": [vector.map(Double.init)], "n_results": k, "include": [String]()]
        let object = try json(try await send("POST", "\(Self.databasePath)/collections/\(id)/query", json: body), expect: [200])
        return ((object as? [String: Any])?["ids"] as? [[String]])?.first ?? []
    }

    /// Deletes rows by id (what a mixed phase inserted).
    func delete(_ id: String, ids: [String]) async throws {
        _ = try json(try await send("POST", "\(Self.databasePath)/collections/\(id)/delete", json: ["ids": ids]), expect: [200])
    }

    // MARK: Plumbing

    func send(_ method: String, _ path: String, json: Any? = nil) async throws -> HTTPResponse {
        var headers: [(name: String, value: String)] = [("Accept", "application/json")]
        var body: [UInt8] = []
        if let json {
            body = [UInt8](try JSONSerialization.data(withJSONObject: json))
            headers.append(("Content-Type", "application/json"))
        }
        do {
            return try await client.send(HTTPRequest(method: method, path: path, headers: headers, body: body, hostHeader: hostHeader),
                                         host: host, port: port)
        } catch {
            if case .unresolvable(let name, let reason) = error { throw LoadEngineError.unresolvableHost(name, reason: reason) }
            throw BenchError("chroma at \(hostHeader): \(method) \(path): \(error)")
        }
    }

    /// The body as JSON when the status is one of `expect`; otherwise Chroma's own error message.
    func json(_ response: HTTPResponse, expect: Set<Int>) throws -> Any {
        guard expect.contains(response.status) else {
            throw BenchError("chroma at \(hostHeader) answered \(response.status): \(Self.message(response))")
        }
        guard let object = try? JSONSerialization.jsonObject(with: Data(response.body), options: [.fragmentsAllowed]) else {
            throw BenchError("chroma at \(hostHeader): not JSON: \(response.text.prefix(120))")
        }
        return object
    }

    /// `{"error": "…", "message": "…"}` as one line, or the body's start.
    static func message(_ response: HTTPResponse) -> String {
        if let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any],
           let message = object["message"] as? String {
            return message
        }
        return String(response.text.prefix(200))
    }
}
