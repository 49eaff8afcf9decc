/// Why a request failed, counted per kind in every result.
public enum RequestErrorKind: String, CaseIterable, Sendable, Codable {
    /// The connection could not be made.
    case connect
    /// No (complete) answer within the request timeout.
    case timeout
    /// An answer with an unexpected status (HTTP status, Redis error reply).
    case status
    /// An answer that broke the protocol (unparseable, truncated, an empty LLM stream).
    case `protocol`
    /// The server closed the connection with the request in flight.
    case closed
    /// Never sent: in open loop, it waited past the request timeout for a free connection (the pool
    /// was at its cap). Not counted as sent, and no sender lag.
    case unsent
}

/// One request as a load generator saw it: the plain value every aggregation consumes.
///
/// Times are nanoseconds on the run's monotonic clock, counted from the run's start, so that
/// results from several connections, event loops or nodes line up.
public struct RequestResult: Sendable, Equatable {
    /// When the pacer meant to send it (open loop), or when its connection became free (closed loop).
    public var scheduled: UInt64
    /// When it was actually written.
    public var sent: UInt64
    /// First byte (or first content token) of the answer; 0 when none came.
    public var firstByte: UInt64
    /// When the answer was complete (or the request failed).
    public var completed: UInt64
    public var bytesReceived: Int
    /// Protocol status: the HTTP status code; 0 where the protocol has none.
    public var status: Int
    /// nil when the request succeeded.
    public var error: RequestErrorKind?

    public init(scheduled: UInt64, sent: UInt64, firstByte: UInt64 = 0, completed: UInt64, bytesReceived: Int = 0, status: Int = 0,
                error: RequestErrorKind? = nil) {
        self.scheduled = scheduled
        self.sent = sent
        self.firstByte = firstByte
        self.completed = completed
        self.bytesReceived = bytesReceived
        self.status = status
        self.error = error
    }

    /// Response complete − actual send: what the server cost.
    @inlinable public var serviceTime: UInt64 { completed &- sent }
    /// Response complete − scheduled send: what a user waiting in line saw (coordinated omission corrected).
    @inlinable public var responseTime: UInt64 { completed &- scheduled }
    /// Actual send − scheduled send: how late the client was.
    @inlinable public var senderLag: UInt64 { sent &- scheduled }
}
