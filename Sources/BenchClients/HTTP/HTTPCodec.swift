import BenchCore
import Foundation
import NIOCore

/// HTTP/1.1 keep-alive: one request encoded once and written as the same buffer every time;
/// responses framed by `HTTPResponseParser`.
struct HTTPCodec: LoadCodec {
    struct Config: Sendable {
        /// The whole request, encoded once; every send writes this same buffer (no copy).
        let request: ByteBuffer
        let expectStatus: Int
        /// HEAD: responses carry no body whatever their headers say.
        let noBody: Bool
    }

    private let config: Config
    private var queued = false
    private var parser = HTTPResponseParser()

    init(config: Config, stream: UInt64, allocator: ByteBufferAllocator) {
        self.config = config
    }

    static func depth(_ config: Config) -> Int { 1 }

    mutating func appendRequest() { queued = true }

    mutating func takeOutput() -> ByteBuffer? {
        guard queued else { return nil }
        queued = false
        return config.request
    }

    mutating func parse(_ buffer: inout ByteBuffer) -> ResponseEvent {
        let noBody = config.noBody
        let (outcome, consumed) = buffer.withUnsafeReadableBytes { parser.parse($0, noBody: noBody) }
        buffer.moveReaderIndex(forwardBy: consumed)
        return event(outcome)
    }

    mutating func endOfStream() -> ResponseEvent { event(parser.endOfStream()) }

    private func event(_ outcome: HTTPResponseParser.Outcome) -> ResponseEvent {
        switch outcome {
        case .needMore: return .needMore
        case .invalid: return .invalid
        case .complete(let status, let bytes, let close):
            return .response(status: status, bytes: bytes, failure: status == config.expectStatus ? nil : .status, close: close)
        }
    }
}

extension HTTPCodec.Config {
    /// Encodes the request of `params` once. `hostHeader` is used unless the params set `Host`;
    /// `Content-Length` is added for a body unless the params set it. `bodyFile` is read here, once
    /// (a relative path is taken from the current directory: resolve recipe-relative paths first).
    init(params: HTTPParams, hostHeader: String) throws {
        var body: [UInt8] = []
        if let file = params.bodyFile {
            do {
                body = Array(try Data(contentsOf: URL(fileURLWithPath: file)))
            } catch {
                throw LoadEngineError.bodyFileUnreadable(path: file, reason: error.localizedDescription)
            }
        } else if let inline = params.body {
            body = Array(inline.utf8)
        }
        let method = params.method.uppercased()
        var head = "\(method) \(params.path.isEmpty ? "/" : params.path) HTTP/1.1\r\n"
        let names = Set(params.headers.keys.map { $0.lowercased() })
        if !names.contains("host") { head += "Host: \(hostHeader)\r\n" }
        // Sorted so the bytes on the wire are the same in every run and replay.
        for (name, value) in params.headers.sorted(by: { $0.key < $1.key }) {
            head += "\(name): \(value)\r\n"
        }
        if !names.contains("content-length") && (!body.isEmpty || ["POST", "PUT", "PATCH"].contains(method)) {
            head += "Content-Length: \(body.count)\r\n"
        }
        head += "\r\n"
        var buffer = ByteBufferAllocator().buffer(capacity: head.utf8.count + body.count)
        buffer.writeString(head)
        buffer.writeBytes(body)
        self.init(request: buffer, expectStatus: params.expectStatus, noBody: method == "HEAD")
    }
}
