import BenchCore
import Foundation

extension OpenAIRunConfig {
    /// Prepares an openai run before it starts: reads the API key from `environment[params.apiKeyEnv]`, discovers
    /// the model from `GET /v1/models` when the params name none, and builds `requests` prompts (at least 1; the run
    /// cycles through them) from the dataset — `random` from `seed`, with each prompt's length matched exactly to
    /// its drawn token count where the server offers `POST /tokenize` (llama.cpp, vLLM); `file` and `sharegpt` read
    /// from `params.datasetPath` (relative to `baseDirectory`).
    ///
    /// - Parameters:
    ///   - host, port: the target; `Host` is `host:port` (or `host` on port 80).
    ///   - slo: the goodput SLOs (ttft, tpot, e2el; p99 is not per request and not used here).
    public static func prepare(params: OpenAIParams, slo: SLOSpec, host: String, port: Int, seed: UInt64,
                               requests: Int, environment: [String: String], baseDirectory: String)
        async throws -> OpenAIRunConfig
    {
        var apiKey: OpenAIAPIKey?
        if let variable = params.apiKeyEnv, !variable.isEmpty {
            guard let value = environment[variable], !value.isEmpty else {
                throw OpenAIPrepareError.missingAPIKey(variable: variable)
            }
            apiKey = OpenAIAPIKey(value)
        }
        let hostHeader = port == 80 ? host : "\(host):\(port)"
        let client = OpenAIAPI(host: host, port: port, hostHeader: hostHeader, apiKey: apiKey)
        let model: String
        if let named = params.model, !named.isEmpty {
            model = named
        } else {
            model = try await discoverModel(client)
        }
        let count = max(1, requests)
        var prompts: [OpenAIPrompt]
        switch params.dataset {
        case .random:
            prompts = OpenAIDataset.random(params: params, count: count, seed: seed)
            prompts = await OpenAITokenizer(client: client, model: model)
                .matchLengths(prompts, targets: prompts.map { $0.text.split(separator: " ").count }, seed: seed)
        case .file:
            prompts = try OpenAIDataset.file(at: resolve(try datasetPath(params), in: baseDirectory))
        case .sharegpt:
            prompts = try OpenAIDataset.shareGPT(at: resolve(try datasetPath(params), in: baseDirectory),
                                                 count: count, seed: seed)
        }
        return OpenAIRunConfig(params: params, model: model, hostHeader: hostHeader, apiKey: apiKey,
                               prompts: prompts, slo: slo)
    }

    /// The first model `GET /v1/models` lists.
    static func discoverModel(_ client: OpenAIAPI) async throws -> String {
        let response = try await client.get("/v1/models")
        guard response.status == 200 else { throw OpenAIPrepareError.noModel("GET /v1/models answered \(response.status)") }
        guard let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any],
              let data = object["data"] as? [[String: Any]], let id = data.first?["id"] as? String else {
            throw OpenAIPrepareError.noModel("GET /v1/models listed no model")
        }
        return id
    }

    private static func datasetPath(_ params: OpenAIParams) throws -> String {
        guard let path = params.datasetPath, !path.isEmpty else {
            throw OpenAIPrepareError.dataset("dataset '\(params.dataset.rawValue)' needs params.dataset_path")
        }
        return path
    }

    private static func resolve(_ path: String, in base: String) -> String {
        path.hasPrefix("/") ? path : URL(fileURLWithPath: base).appendingPathComponent(path).path
    }
}
