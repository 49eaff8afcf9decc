import BenchNetwork
import Foundation

/// The target's plain JSON endpoints used before a run (`GET /v1/models`, `POST /tokenize`),
/// on BenchNetwork's slow-path client with the run's `Host` header and API key.
struct OpenAIAPI: Sendable {
    let host: String
    let port: Int
    let hostHeader: String
    let apiKey: OpenAIAPIKey?
    /// The connect within 10 s, the whole request within 30 s.
    var client = SlowHTTPClient(timeout: .seconds(30), connectTimeout: .seconds(10))

    func get(_ path: String) async throws -> HTTPResponse {
        try await send(method: "GET", path: path, body: [])
    }

    func post(_ path: String, json: Any) async throws -> HTTPResponse {
        try await send(method: "POST", path: path, body: [UInt8](try JSONSerialization.data(withJSONObject: json)))
    }

    func send(method: String, path: String, body: [UInt8]) async throws -> HTTPResponse {
        var headers: [(name: String, value: String)] = [("Accept", "application/json")]
        if let apiKey { headers.append(("Authorization", "Bearer \(apiKey.value)")) }
        if !body.isEmpty { headers.append(("Content-Type", "application/json")) }
        let request = HTTPRequest(method: method, path: path, headers: headers, body: body, hostHeader: hostHeader)
        do {
            return try await client.send(request, host: host, port: port)
        } catch {
            switch error {
            case .unresolvable(let name, let reason):
                // The same error the load engine gives for a name without an address.
                throw LoadEngineError.unresolvableHost(name, reason: reason)
            case .refused:
                throw OpenAIPrepareError.server("cannot connect to \(hostHeader): Connection refused")
            case .connectFailed(_, let reason):
                throw OpenAIPrepareError.server("cannot connect to \(hostHeader): \(reason)")
            case .invalidPort, .connectTimedOut:
                throw OpenAIPrepareError.server("cannot connect to \(hostHeader): \(error)")
            case .notHTTP, .incompleteHead:
                throw OpenAIPrepareError.server("\(method) \(path) on \(hostHeader): not an HTTP answer")
            default:
                throw OpenAIPrepareError.server("\(method) \(path) on \(hostHeader) failed: \(error)")
            }
        }
    }
}
