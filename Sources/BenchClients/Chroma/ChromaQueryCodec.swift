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
        /// The mixed phase's inserted rows, which count as hits when near enough; nil outside it.
        var fresh: ChromaFreshRows? = nil
    }

    private let config: Config
    private var parser = HTTPResponseParser()
    /// The response so far (head and body): the ids are read from it once it is whole.
    private var response: [UInt8] = []
    /// The rows of the answer just read.
    private var rows: [Int32] = []
    /// An inserted row's values, when its distance is needed.
    private var scratch: [Float] = []
    private var queued = -1
    private var current = 0
    private var hits: Int?

    init(config: Config, stream: UInt64, allocator: ByteBufferAllocator) {
        self.config = config
        response.reserveCapacity(1024)
        rows.reserveCapacity(config.k)
        scratch = [Float](repeating: 0, count: config.fresh?.rows.dim ?? 0)
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
            let read = response.withUnsafeBytes { ChromaAnswerScanner.rows(in: $0, lookup: config.lookup, into: &rows) }
            guard read else { return .response(status: status, bytes: bytes, failure: .protocol, close: close) }
            hits = score()
            return .response(status: status, bytes: bytes, failure: nil, close: close)
        }
    }

    /// The true neighbours among `rows` (and, in the mixed phase, inserted rows as near as the k-th of them); nil
    /// when the query is not scored.
    private mutating func score() -> Int? {
        let k = config.k
        guard !config.truth.isEmpty, config.truth[current * k] >= 0 else { return nil }
        var hits = 0
        let query = current
        config.truth.withUnsafeBufferPointer { all in
            let truth = UnsafeBufferPointer(rebasing: all[query * k..<(query + 1) * k])
            for row in rows where row >= 0 {
                if truth.contains(row) {
                    hits += 1
                } else if let fresh = config.fresh, fresh.isNear(row: row, query: query, scratch: &scratch) {
                    hits += 1
                }
            }
        }
        return hits
    }
}
