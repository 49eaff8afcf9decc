import BenchCore
import NIOCore

/// One connection's side of a request/response protocol: encodes requests, frames responses.
///
/// A value per connection (parser state lives in it), made fresh for each new connection from a
/// shared, immutable `Config` that holds everything encoded once.
protocol LoadCodec: SendableMetatype {
    associatedtype Config: Sendable

    /// `stream` tells connections apart for per-connection random choices (Redis and memcached keys).
    init(config: Config, stream: UInt64, allocator: ByteBufferAllocator)

    /// Most requests in flight on one connection: 1 for HTTP/1.1, the pipeline depth for Redis and memcached.
    static func depth(_ config: Config) -> Int

    /// Queues one request for the next `takeOutput()`.
    mutating func appendRequest()

    /// The bytes queued since the last call, or nil when nothing is queued.
    mutating func takeOutput() -> ByteBuffer?

    /// Frames at most one response from the front of `buffer`, consuming what it framed.
    mutating func parse(_ buffer: inout ByteBuffer) -> ResponseEvent

    /// The peer closed the stream: a response delimited by the close is complete now; a partial one
    /// is a protocol error.
    mutating func endOfStream() -> ResponseEvent

    /// `parse(_:)` told when the bytes arrived (ns since the run's start), for codecs that time what happens inside
    /// an answer (LLM streams). Default: `parse(_:)`.
    mutating func parse(_ buffer: inout ByteBuffer, at now: UInt64) -> ResponseEvent

    /// `endOfStream()` told when the close was seen. Default: `endOfStream()`.
    mutating func endOfStream(at now: UInt64) -> ResponseEvent

    /// An aggregator for the LLM measurements of this codec's answers, one per event loop; nil (the default) for
    /// codecs without any.
    static func makeLLMAggregator(_ config: Config, warmupEnd: UInt64) -> LLMAggregator?

    /// Whether a request the server never answered, on a kept-alive connection it closed, is sent again on the
    /// next connection (what HTTP clients do for this race: llama.cpp closes after every streamed answer without
    /// saying so). Only for depth 1. Default false: it fails as `.closed`.
    static var resendsUnanswered: Bool { get }

    /// The LLM measurements of the answer just framed (its first content chunk becomes the result's first byte);
    /// nil (the default) for codecs without any.
    mutating func takeLLMSample() -> LLMRequestSample?

    /// Whether this codec tells a cache's answers apart (hits, misses, stores) for the run's `CacheReplyCounts`.
    /// Default false: the result then carries none.
    static var countsCacheReplies: Bool { get }

    /// What the answer just framed said, when it succeeded; nil (the default) for codecs that do not count them.
    mutating func takeCacheReply() -> CacheReplyCounts.Reply?

    /// A tally of how many true nearest neighbours answers returned (a vector search's recall), one per event loop;
    /// nil (the default) for codecs whose answers are not scored.
    static func makeRecallTally(_ config: Config, warmupEnd: UInt64) -> RecallTally?

    /// The true nearest neighbours the answer just framed returned; nil (the default) when it was not scored.
    mutating func takeHits() -> Int?
}

extension LoadCodec {
    @inline(__always)
    mutating func parse(_ buffer: inout ByteBuffer, at now: UInt64) -> ResponseEvent { parse(&buffer) }

    mutating func endOfStream(at now: UInt64) -> ResponseEvent { endOfStream() }

    static func makeLLMAggregator(_ config: Config, warmupEnd: UInt64) -> LLMAggregator? { nil }

    static var resendsUnanswered: Bool { false }

    @inline(__always)
    mutating func takeLLMSample() -> LLMRequestSample? { nil }

    static var countsCacheReplies: Bool { false }

    @inline(__always)
    mutating func takeCacheReply() -> CacheReplyCounts.Reply? { nil }

    static func makeRecallTally(_ config: Config, warmupEnd: UInt64) -> RecallTally? { nil }

    @inline(__always)
    mutating func takeHits() -> Int? { nil }
}

/// What a codec found in the bytes received so far.
enum ResponseEvent {
    /// No complete response yet; the unconsumed bytes (a partial line) must be offered again with more.
    case needMore
    /// One response, complete. `failure` is `.status` for an unexpected status or an error reply.
    /// `close`: the server will close the connection after it (HTTP `Connection: close`).
    case response(status: Int, bytes: Int, failure: RequestErrorKind?, close: Bool)
    /// The bytes break the protocol; the connection cannot be used further.
    case invalid
}
