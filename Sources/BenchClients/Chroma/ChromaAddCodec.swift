import BenchCore
import NIOCore

/// Add batches over HTTP/1.1 keep-alive: each request takes the next batch of rows (a cursor shared by every
/// connection, so each batch goes once) and is encoded as it is sent: a load of 100,000 vectors never holds its
/// requests all at once. The encoding (about a microsecond a vector) is inside the batch's measured time.
///
/// An answer other than 201 (or 200) fails as `.status`.
struct ChromaAddCodec: LoadCodec {
    struct Config: Sendable {
        let rows: ChromaRows
        let batchSize: Int
        /// Batches there are; nil: no end (generated rows).
        let batches: Int?
        let collection: String
        let hostHeader: String
        let cursor: PromptCursor
    }

    private let config: Config
    private let allocator: ByteBufferAllocator
    private var parser = HTTPResponseParser()
    private var queued: ByteBuffer?

    init(config: Config, stream: UInt64, allocator: ByteBufferAllocator) {
        self.config = config
        self.allocator = allocator
    }

    static func depth(_ config: Config) -> Int { 1 }

    mutating func appendRequest() {
        let batch = config.cursor.next(modulo: config.batches ?? Int.max)
        let start = config.rows.first + batch * config.batchSize
        var end = start + config.batchSize
        if let count = config.rows.count { end = min(end, config.rows.first + count) }
        queued = ChromaRequestEncoder.add(config.rows, start..<end, collection: config.collection, hostHeader: config.hostHeader,
                                          allocator: allocator)
    }

    mutating func takeOutput() -> ByteBuffer? {
        defer { queued = nil }
        return queued
    }

    mutating func parse(_ buffer: inout ByteBuffer) -> ResponseEvent {
        let (outcome, consumed) = buffer.withUnsafeReadableBytes { parser.parse($0, noBody: false) }
        buffer.moveReaderIndex(forwardBy: consumed)
        return event(outcome)
    }

    mutating func endOfStream() -> ResponseEvent { event(parser.endOfStream()) }

    private func event(_ outcome: HTTPResponseParser.Outcome) -> ResponseEvent {
        switch outcome {
        case .needMore: return .needMore
        case .invalid: return .invalid
        case .complete(let status, let bytes, let close):
            return .response(status: status, bytes: bytes, failure: status == 201 || status == 200 ? nil : .status, close: close)
        }
    }
}
