/// Why a slow-path connection or HTTP exchange failed, naming the peer as `host:port`.
///
/// The texts are the ones bench's monitors have always shown (Prometheus' "did not answer: …",
/// a scrape target's last error); callers with their own wording (readiness probes) switch on
/// the case instead of reading the text.
public enum NetworkError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The port is not 0-65535.
    case invalidPort(Int)
    /// The name has no address; `reason` is the resolver's text.
    case unresolvable(host: String, reason: String)
    /// Nothing listens there (ECONNREFUSED).
    case refused(String)
    /// The connect did not finish before the deadline.
    case connectTimedOut(String)
    /// Any other connect failure; `reason` is the C library's text.
    case connectFailed(String, reason: String)
    /// The request could not be written.
    case sendFailed(String, reason: String)
    /// Reading the response failed (a reset, say).
    case readFailed(String, reason: String)
    /// The deadline passed before the whole response arrived.
    case responseTimedOut(String)
    /// The response grew past `limit` bytes (a runaway exporter must not eat the memory).
    case tooLarge(String, limit: Int)
    /// The peer closed without sending a byte.
    case closedWithoutResponse(String)
    /// The peer closed before the end of the header block.
    case incompleteHead(String)
    /// The first line is not an HTTP status line.
    case notHTTP(String, firstLine: String)
    /// The peer closed before the `Content-Length` body was complete.
    case endedEarly(String)
    /// The peer closed before the last chunk of a chunked body.
    case truncatedChunks(String)

    public var description: String {
        switch self {
        case .invalidPort(let port): return "port \(port) is out of range (0-65535)"
        case .unresolvable(let host, let reason): return "cannot resolve \(host): \(reason)"
        case .refused(let peer): return "cannot connect to \(peer): Connection refused"
        case .connectTimedOut(let peer): return "connect to \(peer) timed out"
        case .connectFailed(let peer, let reason): return "cannot connect to \(peer): \(reason)"
        case .sendFailed(let peer, let reason): return "cannot send to \(peer): \(reason)"
        case .readFailed(let peer, let reason): return "cannot read from \(peer): \(reason)"
        case .responseTimedOut(let peer): return "response to \(peer) timed out"
        case .tooLarge(let peer, let limit): return "response from \(peer) is larger than \(limit) bytes"
        case .closedWithoutResponse(let peer): return "\(peer) closed the connection without a response"
        case .incompleteHead(let peer): return "incomplete HTTP response from \(peer)"
        case .notHTTP(let peer, let line): return "not an HTTP response from \(peer): \(line.prefix(80))"
        case .endedEarly(let peer): return "response from \(peer) ended early"
        case .truncatedChunks(let peer): return "truncated chunked response from \(peer)"
        }
    }
}
