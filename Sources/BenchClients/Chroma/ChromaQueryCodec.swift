import BenchCore
import NIOCore

/// Top-k queries over HTTP/1.1 keep-alive: one request per query vector, encoded before the run and sent in
/// order by every connection (a shared cursor); each answer framed by `HTTPResponseParser` and its ids scored
/// against the ground truth, so recall comes from the same answers as the latencies.
///
/// An answer other than 200 fails as `.status`; a 200 without an `ids` list as `.protocol`.
struct ChromaQueryCodec: LoadCodec {
    struct Config: Sendable {
        let requests: [ByteBuffer]
        /// `requests.count × k` true neighbours; a query that is not scored has -1s. Empty: recall is off.
        let truth: [Int32]
        let k: Int
        /// Ids to rows, for datasets whose ids are not row numbers.
        let lookup: [String: Int32]?
        let cursor: PromptCursor
    }

    private let config: Config
    private var parser = HTTPResponseParser()
    /// The response so far (head and body): the ids are read from it once it is whole.
    private var response: [UInt8] = []
    private var queued = -1
    private var current = 0
    private var hits: Int?

    init(config: Config, stream: UInt64, allocator: ByteBufferAllocator) {
        self.config = config
        response.reserveCapacity(1024)
    }

    static func depth(_ config: Config) -> Int { 1 }

    static func makeRecallTally(_ config: Config, warmupEnd: UInt64) -> RecallTally? {
        config.truth.isEmpty ? nil : RecallTally(k: config.k, warmupEnd: warmupEnd)
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
        let (outcome, consumed) = buffer.withUnsafeReadableBytes { raw -> (HTTPResponseParser.Outcome, Int) in
            let (outcome, consumed) = parser.parse(raw, noBody: false)
            response.append(contentsOf: UnsafeRawBufferPointer(rebasing: raw[0..<consumed]))
            return (outcome, consumed)
        }
        buffer.moveReaderIndex(forwardBy: consumed)
        return event(outcome)
    }

    mutating func endOfStream() -> ResponseEvent { event(parser.endOfStream()) }

    mutating func takeHits() -> Int? {
        defer { hits = nil }
        return hits
    }

    private mutating func event(_ outcome: HTTPResponseParser.Outcome) -> ResponseEvent {
        switch outcome {
        case .needMore: return .needMore
        case .invalid:
            response.removeAll(keepingCapacity: true)
            return .invalid
        case .complete(let status, let bytes, let close):
            defer { response.removeAll(keepingCapacity: true) }
            guard status == 200 else { return .response(status: status, bytes: bytes, failure: .status, close: close) }
            let k = config.k
            let found: Int? = response.withUnsafeBytes { raw in
                if config.truth.isEmpty || config.truth[current * k] < 0 {
                    // Not scored, but it must still be an answer.
                    return ChromaAnswerScanner.hits(in: raw, truth: UnsafeBufferPointer(start: nil, count: 0), lookup: nil).map { _ in -1 }
                }
                return config.truth.withUnsafeBufferPointer { truth in
                    ChromaAnswerScanner.hits(in: raw, truth: UnsafeBufferPointer(rebasing: truth[current * k..<(current + 1) * k]),
                                             lookup: config.lookup)
                }
            }
            guard let found else { return .response(status: status, bytes: bytes, failure: .protocol, close: close) }
            hits = found >= 0 ? found : nil
            return .response(status: status, bytes: bytes, failure: nil, close: close)
        }
    }
}
