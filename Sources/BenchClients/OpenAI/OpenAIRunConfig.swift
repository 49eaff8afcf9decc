import BenchCore

/// Everything an openai run sends, prepared before the run (`prepare(...)`): the model, the prompts, the key.
public struct OpenAIRunConfig: Sendable {
    public var params: OpenAIParams
    /// The `model` field of every request: the params' model, or the one the server listed.
    public var model: String
    /// Sent as `Host`.
    public var hostHeader: String
    /// Sent as `Authorization: Bearer …` when set; never written anywhere.
    public var apiKey: OpenAIAPIKey?
    /// Sent in order, round and round when the run outlasts them.
    public var prompts: [OpenAIPrompt]
    /// Goodput counts the successful requests that meet every one of these given (ttft, tpot, e2el).
    public var slo: SLOSpec

    public init(params: OpenAIParams, model: String, hostHeader: String, apiKey: OpenAIAPIKey? = nil,
                prompts: [OpenAIPrompt], slo: SLOSpec = SLOSpec()) {
        self.params = params
        self.model = model
        self.hostHeader = hostHeader
        self.apiKey = apiKey
        self.prompts = prompts
        self.slo = slo
    }

    /// The request path of the params' endpoint.
    public var path: String {
        switch params.endpoint {
        case .chat: return "/v1/chat/completions"
        case .completions: return "/v1/completions"
        }
    }
}

/// Why an openai run could not be prepared.
public enum OpenAIPrepareError: Error, CustomStringConvertible, Equatable {
    case missingAPIKey(variable: String)
    case server(String)
    case noModel(String)
    case dataset(String)

    public var description: String {
        switch self {
        case .missingAPIKey(let variable): return "the API key variable \(variable) is not set (params.api_key_env)"
        case .server(let reason): return reason
        case .noModel(let reason): return "cannot discover the model (set params.model): \(reason)"
        case .dataset(let reason): return reason
        }
    }
}
