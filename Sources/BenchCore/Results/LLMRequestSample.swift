/// What one streamed LLM answer measured beyond its `RequestResult`: the plain value `LLMAggregator` consumes.
///
/// Times are nanoseconds on the run's clock (since the run's start), like `RequestResult`'s.
public struct LLMRequestSample: Sendable, Equatable {
    /// Arrival of the first chunk that carried content; 0 when none did.
    public var firstContent: UInt64
    /// Arrival of the stream's last chunk (`[DONE]` excluded).
    public var lastChunk: UInt64
    /// Chunks that carried content.
    public var contentChunks: Int
    /// Output tokens: the server's `usage.completion_tokens`, or `contentChunks` when it sent no usage.
    public var outputTokens: Int
    /// Prompt tokens: `usage.prompt_tokens`, else the prompt's known length, else 0.
    public var inputTokens: Int
    /// Whether `outputTokens` came from the server's `usage`.
    public var outputFromUsage: Bool
    /// Every gap between consecutive content chunks (ns), in order: the request's ITLs.
    public var interTokenGaps: [UInt64]

    public init(firstContent: UInt64, lastChunk: UInt64, contentChunks: Int, outputTokens: Int, inputTokens: Int,
                outputFromUsage: Bool, interTokenGaps: [UInt64] = []) {
        self.firstContent = firstContent
        self.lastChunk = lastChunk
        self.contentChunks = contentChunks
        self.outputTokens = outputTokens
        self.inputTokens = inputTokens
        self.outputFromUsage = outputFromUsage
        self.interTokenGaps = interTokenGaps
    }
}
