import BenchCore
import Foundation
import NIOCore

/// Encodes each prompt's streaming request once, before the run: every send writes one of these buffers.
enum OpenAIRequestEncoder {
    /// The JSON body: `stream` with `include_usage`, `max_tokens`, `temperature`, and `ignore_eos` only when set
    /// (servers without it, OpenAI's own, reject unknown fields). Keys sorted, so the bytes are the same every run.
    static func body(_ prompt: OpenAIPrompt, config: OpenAIRunConfig) throws -> Data {
        var object: [String: Any] = [
            "model": config.model,
            "stream": true,
            "stream_options": ["include_usage": true],
            "max_tokens": prompt.maxTokens ?? config.params.maxTokens,
            "temperature": config.params.temperature,
        ]
        if config.params.ignoreEOS { object["ignore_eos"] = true }
        switch config.params.endpoint {
        case .chat: object["messages"] = prompt.messages.map { ["role": $0.role, "content": $0.content] }
        case .completions: object["prompt"] = prompt.text
        }
        return try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
    }

    static func request(_ prompt: OpenAIPrompt, config: OpenAIRunConfig, allocator: ByteBufferAllocator) throws -> ByteBuffer {
        let body = try body(prompt, config: config)
        var head = "POST \(config.path) HTTP/1.1\r\nHost: \(config.hostHeader)\r\n"
        head += "Content-Type: application/json\r\nAccept: text/event-stream\r\n"
        if let key = config.apiKey { head += "Authorization: Bearer \(key.value)\r\n" }
        head += "Content-Length: \(body.count)\r\n\r\n"
        var buffer = allocator.buffer(capacity: head.utf8.count + body.count)
        buffer.writeString(head)
        buffer.writeBytes(body)
        return buffer
    }
}
