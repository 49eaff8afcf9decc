/// What one request got back before reading stopped: the bytes, and why it stopped.
///
/// Most callers want `completeResponse()`; a readiness probe reads `response` instead, since a
/// status line and the start of a health page are enough to judge.
public struct HTTPExchange: Sendable {
    /// Why reading stopped.
    public enum Ending: Sendable, Equatable {
        /// The response's framing said it was whole.
        case complete
        /// The server closed the connection.
        case closed
        /// The client's deadline passed.
        case timedOut
        /// More than `limit` bytes arrived.
        case tooLarge(limit: Int)
        /// Reading failed (a reset); the C library's text or NIO's.
        case failed(String)
    }

    /// `host:port`, for messages.
    public let peer: String
    public let received: [UInt8]
    public let ending: Ending

    /// The response as far as it arrived; nil when no HTTP head arrived.
    public var response: HTTPResponse? { HTTPResponse.parse(received, endOfStream: ending == .closed) }

    /// The whole response, or why there is none.
    public func completeResponse() throws(NetworkError) -> HTTPResponse {
        switch ending {
        case .complete, .closed: break
        case .timedOut: throw .responseTimedOut(peer)
        case .tooLarge(let limit): throw .tooLarge(peer, limit: limit)
        case .failed(let reason): throw .readFailed(peer, reason: reason)
        }
        guard HTTPResponseHead.headEnd(received) != nil else {
            throw received.isEmpty ? .closedWithoutResponse(peer) : .incompleteHead(peer)
        }
        guard let head = HTTPResponseHead.parse(received), let response = response else {
            throw .notHTTP(peer, firstLine: HTTPResponseHead.firstLine(received))
        }
        guard response.isComplete else {
            throw head.framing == .chunked ? .truncatedChunks(peer) : .endedEarly(peer)
        }
        return response
    }
}
