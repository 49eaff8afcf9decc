import BenchPlacement
import Glibc

/// A blocking TCP client socket with a deadline, for readiness probes.
///
/// Probes run on a dispatch thread (see `ReadinessProber.offPool`), so blocking calls are fine;
/// the deadline is enforced with a non-blocking connect + poll and SO_RCVTIMEO/SO_SNDTIMEO.
final class TCPConnection {
    let fd: Int32
    let deadline: ContinuousClock.Instant

    /// Why a connection attempt failed, worded for "not ready" reasons.
    enum Failure: Error {
        case refused(String)
        case timedOut(String)
        case other(String)

        var reason: String {
            switch self {
            case .refused(let where_): return "connection refused on \(where_)"
            case .timedOut(let where_): return "connection to \(where_) timed out"
            case .other(let message): return message
            }
        }
    }

    private init(fd: Int32, deadline: ContinuousClock.Instant) {
        self.fd = fd
        self.deadline = deadline
    }

    deinit { close(fd) }

    /// Connects to `host:port`, trying each address the host resolves to, within `timeout`.
    static func connect(host: String, port: Int, timeout: Duration) -> Result<TCPConnection, Failure> {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        let display = SocketAddress.display(host: host, port: port)
        let addresses: [SocketAddress]
        do {
            addresses = try SocketAddress.resolve(host: host, port: port)
        } catch {
            return .failure(.other("\(error)"))
        }
        var lastFailure = Failure.other("no address for \(display)")
        for address in addresses {
            switch connect(address, display: display, deadline: deadline) {
            case .success(let connection): return .success(connection)
            case .failure(let failure): lastFailure = failure
            }
        }
        return .failure(lastFailure)
    }

    private static func connect(_ address: SocketAddress, display: String,
                                deadline: ContinuousClock.Instant) -> Result<TCPConnection, Failure> {
        let fd = socket(address.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return .failure(.other("cannot create a socket: \(errorText(errno))")) }
        let connection = TCPConnection(fd: fd, deadline: deadline)  // closes fd on every path
        let flags = fcntl(fd, F_GETFL)
        _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
        var result = address.withSockaddr { Glibc.connect(fd, $0, $1) }
        if result != 0 && errno == EINPROGRESS {
            var descriptor = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            repeat {
                result = poll(&descriptor, 1, connection.remainingMilliseconds)
            } while result < 0 && errno == EINTR
            if result == 0 { return .failure(.timedOut(display)) }
            var socketError: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &socketError, &length)
            errno = socketError
            result = socketError == 0 ? 0 : -1
        }
        if result != 0 {
            let code = errno
            if code == ECONNREFUSED { return .failure(.refused(display)) }
            if code == ETIMEDOUT { return .failure(.timedOut(display)) }
            return .failure(.other("cannot connect to \(display): \(errorText(code))"))
        }
        _ = fcntl(fd, F_SETFL, flags & ~O_NONBLOCK)
        return .success(connection)
    }

    /// Milliseconds left before the deadline (at least 1, so poll never blocks forever or spins).
    var remainingMilliseconds: Int32 {
        let left = ContinuousClock.now.duration(to: deadline)
        let milliseconds = left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000
        return Int32(clamping: max(milliseconds, 1))
    }

    var isPastDeadline: Bool { ContinuousClock.now >= deadline }

    /// Sends all of `bytes`; false on error or timeout.
    func send(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            setTimeout(SO_SNDTIMEO)
            let sent = bytes[offset...].withUnsafeBytes {
                Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))  // no SIGPIPE on a reset
            }
            if sent < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += sent
        }
        return true
    }

    /// Receives what is available (blocking until some arrives): nil on timeout or error,
    /// an empty array at end of stream.
    func receive(maximum: Int = 16384) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: maximum)
        while true {
            if isPastDeadline { return nil }
            setTimeout(SO_RCVTIMEO)
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count < 0 {
                if errno == EINTR { continue }
                return nil  // EAGAIN: SO_RCVTIMEO expired
            }
            return Array(buffer[0..<count])
        }
    }

    private func setTimeout(_ option: Int32) {
        let milliseconds = Int(remainingMilliseconds)
        var value = timeval(tv_sec: milliseconds / 1000, tv_usec: (milliseconds % 1000) * 1000)
        setsockopt(fd, SOL_SOCKET, option, &value, socklen_t(MemoryLayout<timeval>.size))
    }

    static func errorText(_ code: Int32) -> String { ErrnoText.of(code) }
}
