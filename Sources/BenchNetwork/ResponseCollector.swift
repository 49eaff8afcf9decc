import BenchPlacement
import NIOCore

/// Gathers a response's bytes on its channel until the response is whole, the server closes,
/// the size limit or the deadline, then completes `promise` once and closes the channel.
final class ResponseCollector: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    /// Sent down the pipeline when the client's deadline passes.
    struct Deadline: Sendable {}

    /// The bytes and why reading stopped.
    struct Collected: Sendable {
        let bytes: [UInt8]
        let ending: HTTPExchange.Ending
    }

    private let promise: EventLoopPromise<Collected>
    private let limit: Int
    private var received: [UInt8] = []
    private var finished = false
    /// Where the search for the end of the head resumes (bytes before it hold no CRLFCRLF).
    private var headSearchFrom = 0
    private var head: HTTPResponseHead?
    /// The next chunk-size line of a chunked body, so each read looks only at new chunks.
    private var chunkCursor = 0

    init(promise: EventLoopPromise<Collected>, limit: Int) {
        self.promise = promise
        self.limit = limit
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !finished else { return }
        received.append(contentsOf: unwrapInboundIn(data).readableBytesView)
        if received.count > limit {
            finish(.tooLarge(limit: limit), closing: context)
        } else if isWhole() {
            // Some servers linger after a complete answer; stop here rather than at the close.
            finish(.complete, closing: context)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is Deadline {
            finish(.timedOut, closing: context)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish(.closed, closing: nil)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        let reason = (error as? IOError).map { ErrnoText.of($0.errnoCode) } ?? "\(error)"
        finish(.failed(reason), closing: context)
    }

    private func finish(_ ending: HTTPExchange.Ending, closing context: ChannelHandlerContext?) {
        guard !finished else { return }
        finished = true
        promise.succeed(Collected(bytes: received, ending: ending))
        context?.close(promise: nil)
    }

    /// True once the response's framing says all of it arrived; each call looks at new bytes only.
    private func isWhole() -> Bool {
        if head == nil {
            guard let end = HTTPResponseHead.headEnd(received, from: headSearchFrom) else {
                headSearchFrom = max(0, received.count - 3)
                return false
            }
            // Not HTTP: keep reading until the close, the limit or the deadline, then report it.
            guard let parsed = HTTPResponseHead.parse(received, headEnd: end) else { return false }
            head = parsed
            chunkCursor = parsed.bodyStart
        }
        guard let head else { return false }
        switch head.framing {
        case .none: return true
        case .close: return false
        case .length(let length): return received.count - head.bodyStart >= length
        case .chunked:
            while let lineEnd = HTTPResponse.find([13, 10], in: received, from: chunkCursor) {
                guard let size = HTTPResponse.chunkSize(received[chunkCursor..<lineEnd]) else { return false }
                if size == 0 { return true }
                let next = lineEnd + 2 + size + 2
                guard next <= received.count else { return false }
                chunkCursor = next
            }
            return false
        }
    }
}
