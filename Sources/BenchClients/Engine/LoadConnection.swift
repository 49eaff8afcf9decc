import BenchCore
import NIOCore

/// The one handler in a load connection's pipeline: writes requests, frames responses, and turns
/// each into a `RequestResult` for its event loop's driver.
///
/// Speed matters here (it runs once per request): no future per request (writes pass
/// `promise: nil`, failures arrive in `errorCaught`), the next request is written straight from
/// `channelRead`, and the clock is read once per read.
final class LoadConnection<Codec: LoadCodec>: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// The driver owns every connection of its loop and outlives them (the engine keeps it until
    /// the event loop group has shut down), so no reference counting on the hot path.
    unowned(unsafe) let driver: LoopDriver<Codec>
    let slot: Int
    private var codec: Codec
    private var context: ChannelHandlerContext?

    /// In-flight requests, oldest first: a ring of `depth` (scheduled, sent) pairs.
    private var scheduledTimes: [UInt64]
    private var sentTimes: [UInt64]
    private var head = 0
    private(set) var inFlight = 0
    /// Requests queued since the last flush (the newest in the ring).
    private var unflushed = 0
    let depth: Int

    /// When the answer to the oldest in-flight request began arriving (0: not yet).
    private var firstByte: UInt64 = 0
    /// An incomplete line kept until more bytes arrive.
    private var leftover: ByteBuffer?

    private(set) var isActive = false
    /// Closed by us (server asked for it, timeout, protocol error): in-flight requests are accounted.
    private(set) var isClosing = false
    /// Answers received on this connection.
    private(set) var served = 0
    /// When this connection last became free (closed loop's scheduled time for its next request).
    private(set) var lastFree: UInt64 = 0
    /// Listed in the driver's stack of connections with room (open loop).
    var isListedAvailable = false

    init(driver: LoopDriver<Codec>, slot: Int, codec: Codec, depth: Int) {
        self.driver = driver
        self.slot = slot
        self.codec = codec
        self.depth = depth
        scheduledTimes = [UInt64](repeating: 0, count: depth)
        sentTimes = [UInt64](repeating: 0, count: depth)
    }

    var hasRoom: Bool { isActive && !isClosing && inFlight < depth }

    /// When the oldest in-flight request was sent.
    var oldestSent: UInt64 { sentTimes[head] }

    // MARK: Sending

    /// Queues one request; `flush()` (or the end of the current read) writes it.
    @inline(__always)
    func enqueue(scheduled: UInt64, sent: UInt64) {
        var tail = head + inFlight
        if tail >= depth { tail -= depth }
        scheduledTimes[tail] = scheduled
        sentTimes[tail] = sent
        inFlight += 1
        unflushed += 1
        driver.inFlight += 1
        codec.appendRequest()
    }

    @inline(__always)
    func flush() {
        unflushed = 0
        guard let output = codec.takeOutput(), let context else { return }
        context.writeAndFlush(wrapOutboundOut(output), promise: nil)
    }

    /// Writes what is queued, first noting `time` as its send time: the open loop reads the clock
    /// once more just before the write, so the service time does not include the pacer's own work.
    @inline(__always)
    func flush(sentAt time: UInt64) {
        // Queued requests are in flight until answered or failed, and none is answered before it is written.
        let count = min(unflushed, inFlight)
        var index = head + inFlight - count
        for _ in 0..<count {
            if index >= depth { index -= depth }
            sentTimes[index] = time
            index += 1
        }
        flush()
    }

    @inline(__always)
    private func complete(at now: UInt64, bytes: Int, status: Int, failure: RequestErrorKind?,
                          llm: LLMRequestSample? = nil, hits: Int? = nil) {
        var result = RequestResult(scheduled: scheduledTimes[head], sent: sentTimes[head], firstByte: firstByte,
                                   completed: now, bytesReceived: bytes, status: status, error: failure)
        head += 1
        if head == depth { head = 0 }
        inFlight -= 1
        driver.inFlight -= 1
        if let llm {
            // An LLM answer's first byte is its first content chunk (a role-only chunk or a ping is not).
            if llm.firstContent != 0 { result.firstByte = llm.firstContent }
            driver.record(result, llm: llm)
        } else if let hits {
            driver.record(result, hits: hits)
        } else {
            driver.record(result)
        }
    }

    /// Completes the oldest request with the answer the codec just framed.
    @inline(__always)
    private func completeFramed(at now: UInt64, bytes: Int, status: Int, failure: RequestErrorKind?) {
        if let reply = codec.takeCacheReply() {
            // Counted by the request's scheduled time, as the aggregator tells warm-up from measured.
            driver.count(reply, scheduled: scheduledTimes[head])
        }
        complete(at: now, bytes: bytes, status: status, failure: failure, llm: codec.takeLLMSample(), hits: codec.takeHits())
    }

    /// Fails every in-flight request with `kind` at `now`.
    private func failAll(_ kind: RequestErrorKind, at now: UInt64) {
        while inFlight > 0 { complete(at: now, bytes: 0, status: 0, failure: kind) }
    }

    /// Closes the connection on our side after failing what is in flight with `kind`.
    func abort(_ kind: RequestErrorKind, at now: UInt64) {
        failAll(kind, at: now)
        closeQuietly()
    }

    /// Forgets what is in flight without recording it (a run stopped early).
    func discardInFlight() {
        driver.inFlight -= inFlight
        inFlight = 0
        unflushed = 0
    }

    /// Closes without failing anything (end of run, or after a `Connection: close` answer).
    func closeQuietly() {
        guard !isClosing else { return }
        isClosing = true
        context?.close(promise: nil)
    }

    // MARK: ChannelInboundHandler

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if context.channel.isActive { becameActive() }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        becameActive()
        context.fireChannelActive()
    }

    private func becameActive() {
        guard !isActive else { return }
        isActive = true
        let now = driver.now()
        lastFree = now
        driver.connectionActive(self, at: now)
    }

    // NIO calls a handler through its protocol witness, which for a generic class is unspecialized
    // code: every codec and driver call behind it would go through witness tables and metadata
    // lookups. Specialized entry points (the generic one jumps to them) cut the client's user-space
    // CPU by about an eighth in a closed-loop profile. The pace timer's entry is specialized alike.
    @_specialize(exported: false, where Codec == HTTPCodec)
    @_specialize(exported: false, where Codec == RedisCodec)
    @_specialize(exported: false, where Codec == MemcachedCodec)
    @_specialize(exported: false, where Codec == OpenAICodec)
    @_specialize(exported: false, where Codec == ChromaQueryCodec)
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        let now = driver.now()
        if var pending = leftover {
            leftover = nil
            pending.writeBuffer(&buffer)
            buffer = pending
        }
        if firstByte == 0 && inFlight > 0 { firstByte = now }
        parsing: while !isClosing {
            switch codec.parse(&buffer, at: now) {
            case .needMore:
                if buffer.readableBytes > 0 { leftover = buffer }
                break parsing
            case .response(let status, let bytes, let failure, let close):
                guard inFlight > 0 else {
                    // An answer nobody asked for: the stream cannot be trusted any more.
                    abort(.protocol, at: now)
                    break parsing
                }
                completeFramed(at: now, bytes: bytes, status: status, failure: failure)
                served += 1
                firstByte = inFlight > 0 && buffer.readableBytes > 0 ? now : 0
                lastFree = now
                if close {
                    // The server closes after this answer; the driver reopens on channelInactive.
                    failAll(.closed, at: now)
                    closeQuietly()
                    break parsing
                }
                driver.connectionFreed(self, at: now)
            case .invalid:
                abort(.protocol, at: now)
                break parsing
            }
        }
        // Requests queued while parsing go out now: that, not the read, is their send time.
        if unflushed > 0 { flush(sentAt: driver.now()) } else { flush() }
    }

    func channelInactive(context: ChannelHandlerContext) {
        let now = driver.now()
        isActive = false
        if Codec.resendsUnanswered && !isClosing && inFlight == 1 && served > 0 && firstByte == 0 && leftover == nil {
            // The server closed this kept-alive connection as the request went out and never saw it: it goes
            // again, keeping its scheduled time, on the next connection (once: a fresh connection has served 0).
            driver.resend(slot: slot, scheduled: scheduledTimes[head])
            discardInFlight()
        }
        if !isClosing && inFlight > 0 {
            // A response delimited by the end of the stream is complete now; a partial one is not.
            var rest = leftover ?? ByteBuffer()
            leftover = nil
            if rest.readableBytes > 0,
               case .response(let status, let bytes, let failure, _) = codec.parse(&rest, at: now) {
                completeFramed(at: now, bytes: bytes, status: status, failure: failure)
                served += 1
            }
            switch codec.endOfStream(at: now) {
            case .response(let status, let bytes, let failure, _):
                if inFlight > 0 {
                    completeFramed(at: now, bytes: bytes, status: status, failure: failure)
                    served += 1
                }
            case .invalid:
                if inFlight > 0 { complete(at: now, bytes: 0, status: 0, failure: .protocol) }
            case .needMore:
                break
            }
        }
        let hadInFlight = inFlight > 0
        failAll(.closed, at: now)
        if hadInFlight { lastFree = now }
        isClosing = true
        driver.connectionClosed(self, at: now)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        // Resets and the like: closing leads to channelInactive, which accounts for what was in flight.
        context.close(promise: nil)
    }
}
