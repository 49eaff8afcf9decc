/// One prompt of an openai run, ready to send: plain text (completions) or chat messages.
public struct OpenAIPrompt: Sendable, Equatable {
    public enum Content: Sendable, Equatable {
        case text(String)
        case messages([OpenAIChatMessage])
    }

    public var content: Content
    /// The prompt's length in tokens where known (the random dataset, matched with the server's `/tokenize`);
    /// counts as its input tokens when the server sends no `usage`.
    public var inputTokens: Int?
    /// `max_tokens` for this prompt (the random dataset's drawn output length); nil uses the params' `max_tokens`.
    public var maxTokens: Int?

    public init(_ content: Content, inputTokens: Int? = nil, maxTokens: Int? = nil) {
        self.content = content
        self.inputTokens = inputTokens
        self.maxTokens = maxTokens
    }

    /// The prompt as one text: the messages' contents joined by newlines (for `/v1/completions`).
    public var text: String {
        switch content {
        case .text(let text): return text
        case .messages(let messages): return messages.map(\.content).joined(separator: "\n")
        }
    }

    /// The prompt as chat messages: plain text becomes one user message (for `/v1/chat/completions`).
    public var messages: [OpenAIChatMessage] {
        switch content {
        case .text(let text): return [OpenAIChatMessage(role: "user", content: text)]
        case .messages(let messages): return messages
        }
    }
}

/// One message of a chat prompt.
public struct OpenAIChatMessage: Sendable, Equatable, Codable {
    public var role: String
    public var content: String

    public init(role: String, content: String) {
        self.role = role
        self.content = content
    }
}

/// An API key read from the environment: sent in `Authorization`, never printed, dumped or written.
public struct OpenAIAPIKey: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public let value: String

    public init(_ value: String) { self.value = value }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
    public var customMirror: Mirror { Mirror(self, children: [:]) }
}
