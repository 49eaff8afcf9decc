import BenchPlacement
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

/// One-shot HTTP/1.1 requests on NIO for bench's slow paths: readiness probes, Prometheus' API,
/// exporters' `/metrics`, and an OpenAI server's `/v1/models` and `/tokenize`.
///
/// BenchNetwork owns every outgoing connection that is not load: this client, and the one
/// address resolver (`AddressResolver`) that load runs share. The load engine's hot-path
/// codecs (BenchClients' Engine, HTTP, Redis, OpenAI streaming) stay separate: they keep
/// connections open and measure every byte, which these requests never need.
///
/// Each request opens a connection, sends `Connection: close`, and reads until the response's
/// framing says it is whole (Content-Length, the last chunk) or the server closes. It never
/// follows redirects, keeps connections or caches, so its cost and its deadline stay
/// predictable. `timeout` bounds the whole exchange, `connectTimeout` the connect alone.
/// Work runs on NIO's shared event loops, never blocking a thread of Swift's cooperative pool.
public struct SlowHTTPClient: Sendable {
    /// Connect + request + response.
    public var timeout: Duration
    /// The connect alone (the smaller of this and what is left of `timeout`).
    public var connectTimeout: Duration
    /// Responses (head and body) larger than this are cut off: an error for `send`, the end
    /// of reading for `exchange`.
    public var maxResponseBytes: Int

    public init(timeout: Duration = .seconds(10), connectTimeout: Duration? = nil, maxResponseBytes: Int = 64 << 20) {
        self.timeout = timeout
        self.connectTimeout = connectTimeout ?? timeout
        self.maxResponseBytes = maxResponseBytes
    }

    /// What a GET sends unless told otherwise.
    public static let defaultHeaders: [(name: String, value: String)] = [("User-Agent", "bench"), ("Accept", "*/*")]

    /// GETs `path` (with its query, already percent-encoded) from `host:port`: the whole
    /// response, or why there is none.
    public func get(host: String, port: Int, path: String,
                    headers: [(name: String, value: String)] = defaultHeaders) async throws(NetworkError) -> HTTPResponse {
        try await send(HTTPRequest(path: path, headers: headers), host: host, port: port)
    }

    /// Sends `request` to `host:port`: the whole response, or why there is none.
    public func send(_ request: HTTPRequest, host: String, port: Int) async throws(NetworkError) -> HTTPResponse {
        try await exchange(request, host: host, port: port).completeResponse()
    }

    /// Sends `request` and reads until the response is whole or reading stops; throws only
    /// when no connection is made or the request cannot be sent.
    public func exchange(_ request: HTTPRequest, host: String, port: Int) async throws(NetworkError) -> HTTPExchange {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        let peer = AddressResolver.display(host: host, port: port)
        let (channel, collector) = try await connect(host: host, port: port, peer: peer, deadline: deadline,
                                                     collectingUpTo: maxResponseBytes)
        guard let promise = collector else {
            channel.close(promise: nil)
            throw .connectFailed(peer, reason: "no response handler")  // not reached: asked for one
        }
        // The deadline goes through the pipeline so the collector ends on its own event loop.
        let timer = channel.eventLoop.scheduleTask(in: TimeAmount(ContinuousClock.now.duration(to: deadline))) {
            channel.pipeline.fireUserInboundEventTriggered(ResponseCollector.Deadline())
        }
        defer { timer.cancel() }
        do {
            try await channel.writeAndFlush(ByteBuffer(bytes: request.encoded(peer: peer))).get()
        } catch {
            channel.close(promise: nil)
            _ = try? await promise.futureResult.get()  // settled by the close
            throw .sendFailed(peer, reason: Self.reason(error))
        }
        let collected: ResponseCollector.Collected
        do {
            collected = try await promise.futureResult.get()
        } catch {
            throw .readFailed(peer, reason: Self.reason(error))  // not reached: the collector only succeeds
        }
        return HTTPExchange(peer: peer, received: collected.bytes, ending: collected.ending)
    }

    /// Opens a connection to `host:port` within the deadline and closes it again (a `tcp`
    /// readiness probe).
    public func checkConnection(host: String, port: Int) async throws(NetworkError) {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        let peer = AddressResolver.display(host: host, port: port)
        let (channel, _) = try await connect(host: host, port: port, peer: peer, deadline: deadline, collectingUpTo: nil)
        try? await channel.close()
    }

    // MARK: connecting

    /// Connects to each address `host` resolves to in turn until one answers; the last
    /// failure when none does. With `collectingUpTo`, the channel gets a `ResponseCollector`
    /// with that limit, and its promise comes back with the channel.
    private func connect(host: String, port: Int, peer: String, deadline: ContinuousClock.Instant,
                         collectingUpTo limit: Int?) async throws(NetworkError)
        -> (Channel, EventLoopPromise<ResponseCollector.Collected>?)
    {
        let addresses = try AddressResolver.resolve(host: host, port: port)
        let group = MultiThreadedEventLoopGroup.singleton
        var lastFailure = NetworkError.connectFailed(peer, reason: "no address")
        for address in addresses {
            let left = ContinuousClock.now.duration(to: deadline)
            guard left > .zero else { throw .connectTimedOut(peer) }
            // One promise per attempt: a failed attempt's handler can never answer for the next.
            let promise = limit.map { _ in group.any().makePromise(of: ResponseCollector.Collected.self) }
            do {
                let channel = try await ClientBootstrap(group: group)
                    .connectTimeout(TimeAmount(min(left, connectTimeout)))
                    .channelInitializer { channel in
                        channel.eventLoop.makeCompletedFuture {
                            if let promise, let limit {
                                try channel.pipeline.syncOperations.addHandler(ResponseCollector(promise: promise, limit: limit))
                            }
                        }
                    }
                    .connect(to: address).get()
                return (channel, promise)
            } catch {
                lastFailure = Self.connectFailure(error, peer: peer)
                // Settles the attempt's promise (NIO reports a promise dropped unsettled).
                promise?.succeed(ResponseCollector.Collected(bytes: [], ending: .closed))
            }
        }
        throw lastFailure
    }

    static func connectFailure(_ error: Error, peer: String) -> NetworkError {
        if case ChannelError.connectTimeout = error { return .connectTimedOut(peer) }
        if let ioError = error as? IOError {
            switch ioError.errnoCode {
            case ECONNREFUSED: return .refused(peer)
            case ETIMEDOUT: return .connectTimedOut(peer)
            default: return .connectFailed(peer, reason: ErrnoText.of(ioError.errnoCode))
            }
        }
        return .connectFailed(peer, reason: "\(error)")
    }

    static func reason(_ error: Error) -> String {
        (error as? IOError).map { ErrnoText.of($0.errnoCode) } ?? "\(error)"
    }
}
