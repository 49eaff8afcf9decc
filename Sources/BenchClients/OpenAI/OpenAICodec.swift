import BenchCore
import NIOCore
import Synchronization

/// OpenAI-compatible streaming over HTTP/1.1 keep-alive: one request at a time per connection, each a prompt's
/// request encoded before the run; answers read as server-sent events while they stream, each timed as it arrives.
///
/// An answer succeeds only when it is a 200 whose stream carried content and ended with `[DONE]`: an error status
/// (429, 500) or an error event mid-stream fails it as `.status`; an empty stream or one without `[DONE]` as
/// `.protocol`; a stream cut by the server as `.protocol` (or `.closed`, by the engine).
struct OpenAICodec: LoadCodec {
    struct Config: Sendable {
        /// One encoded request per prompt.
        let requests: [ByteBuffer]
        /// Each prompt's known input tokens (0: unknown), used when the server sends no usage.
        let inputTokens: [Int]
        /// The next prompt to send, shared by every connection of the run: prompts go out in order.
        let cursor: PromptCursor
        let slo: SLOSpec

        init(_ run: OpenAIRunConfig) throws {
            guard !run.prompts.isEmpty else { throw OpenAIPrepareError.dataset("the run has no prompts") }
            let allocator = ByteBufferAllocator()
            requests = try run.prompts.map { try OpenAIRequestEncoder.request($0, config: run, allocator: allocator) }
            inputTokens = run.prompts.map { $0.inputTokens ?? 0 }
            cursor = PromptCursor()
            slo = run.slo
        }
    }

    private let config: Config
    private var parser = SSEStreamParser()
    private var queued = -1
    /// The prompt of the request in flight.
    private var current = 0
    private var sample: LLMRequestSample?

    init(config: Config, stream: UInt64, allocator: ByteBufferAllocator) {
        self.config = config
    }

    static func depth(_ config: Config) -> Int { 1 }

    /// llama.cpp closes the connection after each streamed answer without `Connection: close`.
    static var resendsUnanswered: Bool { true }

    static func makeLLMAggregator(_ config: Config, warmupEnd: UInt64) -> LLMAggregator? {
        LLMAggregator(warmupEnd: warmupEnd, slo: config.slo)
    }

    mutating func appendRequest() {
        queued = config.cursor.next(modulo: config.requests.count)
    }

    mutating func takeOutput() -> ByteBuffer? {
        guard queued >= 0 else { return nil }
        current = queued
        queued = -1
        return config.requests[current]
    }

    mutating func parse(_ buffer: inout ByteBuffer) -> ResponseEvent {
        // Without a time the engine always passes one; kept for the protocol.
        parse(&buffer, at: 0)
    }

    mutating func parse(_ buffer: inout ByteBuffer, at now: UInt64) -> ResponseEvent {
        let (outcome, consumed) = buffer.withUnsafeReadableBytes { parser.parse($0, at: now) }
        buffer.moveReaderIndex(forwardBy: consumed)
        return event(outcome)
    }

    mutating func endOfStream() -> ResponseEvent { endOfStream(at: 0) }

    mutating func endOfStream(at now: UInt64) -> ResponseEvent { event(parser.endOfStream(at: now)) }

    mutating func takeLLMSample() -> LLMRequestSample? {
        defer { sample = nil }
        return sample
    }

    private mutating func event(_ outcome: SSEStreamParser.Outcome) -> ResponseEvent {
        switch outcome {
        case .needMore: return .needMore
        case .invalid: return .invalid
        case .complete(let status, let bytes, let close):
            let s = parser.stream
            let failure: RequestErrorKind?
            if status != 200 || s.sawError {
                failure = .status
            } else if s.contentChunks == 0 || !s.sawDone {
                // Empty, or cut short without the server's end marker: never a success.
                failure = .protocol
            } else {
                failure = nil
            }
            let fromUsage = s.usageOutput >= 0
            sample = LLMRequestSample(
                firstContent: s.firstContent, lastChunk: s.lastChunk, contentChunks: s.contentChunks,
                outputTokens: fromUsage ? s.usageOutput : s.contentChunks,
                inputTokens: s.usageInput >= 0 ? s.usageInput : config.inputTokens[current],
                outputFromUsage: fromUsage, interTokenGaps: s.gaps)
            return .response(status: status, bytes: bytes, failure: failure, close: close)
        }
    }
}

/// The run's position in its prompt list, shared across connections and event loops.
final class PromptCursor: Sendable {
    private let counter = Atomic<Int>(0)

    func next(modulo count: Int) -> Int {
        counter.wrappingAdd(1, ordering: .relaxed).oldValue % count
    }

    /// How many positions have been taken (a chroma run's add batches sent).
    var issued: Int { counter.load(ordering: .relaxed) }
}
