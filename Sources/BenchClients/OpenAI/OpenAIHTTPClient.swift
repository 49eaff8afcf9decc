import Foundation
import NIOCore
import NIOPosix

/// The few plain requests made before a run (`GET /v1/models`, `POST /tokenize`): one connection each, closed by
/// the server after its answer (`Connection: close`), the whole answer read.
struct OpenAIHTTPClient: Sendable {
    let address: SocketAddress
    let hostHeader: String
    let apiKey: OpenAIAPIKey?
    /// Seconds a request may take.
    var timeout: Int64 = 30

    struct Response: Sendable {
        var status: Int
        var body: Data
    }

    func get(_ path: String) async throws -> Response {
        try await send(method: "GET", path: path, body: nil)
    }

    func post(_ path: String, json: Any) async throws -> Response {
        try await send(method: "POST", path: path, body: try JSONSerialization.data(withJSONObject: json))
    }

    func send(method: String, path: String, body: Data?) async throws -> Response {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: \(hostHeader)\r\nConnection: close\r\nAccept: application/json\r\n"
        if let apiKey { head += "Authorization: Bearer \(apiKey.value)\r\n" }
        if let body { head += "Content-Type: application/json\r\nContent-Length: \(body.count)\r\n" }
        head += "\r\n"
        var request = ByteBufferAllocator().buffer(capacity: head.utf8.count + (body?.count ?? 0))
        request.writeString(head)
        if let body { request.writeBytes(body) }

        let group = MultiThreadedEventLoopGroup.singleton
        let promise = group.any().makePromise(of: ByteBuffer.self)
        let channel: Channel
        do {
            channel = try await ClientBootstrap(group: group)
                .connectTimeout(.seconds(min(timeout, 10)))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(CollectingHandler(promise: promise))
                    }
                }
                .connect(to: address).get()
        } catch {
            promise.fail(error)
            throw OpenAIPrepareError.server("cannot connect to \(hostHeader): \(error)")
        }
        let deadline = channel.eventLoop.scheduleTask(in: .seconds(timeout)) { channel.close(promise: nil) }
        channel.writeAndFlush(request, promise: nil)
        let bytes: ByteBuffer
        do {
            bytes = try await promise.futureResult.get()
        } catch {
            deadline.cancel()
            throw OpenAIPrepareError.server("\(method) \(path) on \(hostHeader) failed: \(error)")
        }
        deadline.cancel()
        guard let response = Self.decode(Data(bytes.readableBytesView)) else {
            throw OpenAIPrepareError.server("\(method) \(path) on \(hostHeader): not an HTTP answer")
        }
        return response
    }

    /// Status and body of a whole HTTP/1.1 answer (chunked or not).
    static func decode(_ data: Data) -> Response? {
        let bytes = [UInt8](data)
        guard let split = find([13, 10, 13, 10], in: bytes, from: 0) else { return nil }
        let head = String(decoding: bytes[0..<split], as: UTF8.self)
        let lines = head.components(separatedBy: "\r\n")
        let parts = lines[0].split(separator: " ")
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/"), let status = Int(parts[1]) else { return nil }
        let chunked = lines.dropFirst().contains {
            $0.lowercased().hasPrefix("transfer-encoding:") && $0.lowercased().contains("chunked")
        }
        var body = Array(bytes[(split + 4)...])
        if chunked {
            var decoded: [UInt8] = []
            var pos = 0
            while let lineEnd = find([13, 10], in: body, from: pos) {
                let sizeText = String(decoding: body[pos..<lineEnd], as: UTF8.self).split(separator: ";").first ?? ""
                guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16) else { return nil }
                if size == 0 { break }
                let start = lineEnd + 2
                guard start + size <= body.count else { return nil }
                decoded.append(contentsOf: body[start..<(start + size)])
                pos = start + size + 2
            }
            body = decoded
        } else if let lengthLine = lines.first(where: { $0.lowercased().hasPrefix("content-length:") }),
                  let length = Int(lengthLine.dropFirst(15).trimmingCharacters(in: .whitespaces)), length < body.count {
            body = Array(body[0..<length])
        }
        return Response(status: status, body: Data(body))
    }

    private static func find(_ needle: [UInt8], in bytes: [UInt8], from: Int) -> Int? {
        guard bytes.count >= needle.count, from <= bytes.count - needle.count else { return nil }
        for i in from...(bytes.count - needle.count) where bytes[i] == needle[0] {
            if Array(bytes[i..<(i + needle.count)]) == needle { return i }
        }
        return nil
    }
}

/// Gathers everything the server sends until it closes the connection.
private final class CollectingHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let promise: EventLoopPromise<ByteBuffer>
    private var received = ByteBuffer()
    private var finished = false

    init(promise: EventLoopPromise<ByteBuffer>) { self.promise = promise }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        received.writeBuffer(&buffer)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !finished { promise.succeed(received) }
        finished = true
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        if !finished { promise.fail(error) }
        finished = true
        context.close(promise: nil)
    }
}
