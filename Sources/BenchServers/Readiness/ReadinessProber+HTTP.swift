import BenchPlacement
import Glibc

/// The `http` probe: a minimal HTTP/1.1 GET over a plain socket.
///
/// Hand-written rather than URLSession: it must not follow redirects, keep connections,
/// or cache, and its whole cost and timeout must stay predictable.
extension ReadinessProber {
    static func probeHTTP(host: String, port: Int, path: String, expectedStatus: Int, bodyText: String?) -> ProbeResult {
        let target = SocketAddress.connectableHost(host)
        let requestPath = path.hasPrefix("/") ? path : "/" + path
        let connection: TCPConnection
        switch TCPConnection.connect(host: target, port: port, timeout: networkTimeout) {
        case .success(let connected): connection = connected
        case .failure(let failure): return .notReady(failure.reason)
        }
        let display = SocketAddress.display(host: target, port: port)
        let request = "GET \(requestPath) HTTP/1.1\r\nHost: \(display)\r\nUser-Agent: bench-readiness\r\n"
            + "Accept: */*\r\nConnection: close\r\n\r\n"
        guard connection.send(Array(request.utf8)) else {
            return .notReady("cannot send a request to \(display): \(ErrnoText.of(errno))")
        }

        // Read until the response is complete, the server closes, the body limit or the deadline.
        var received: [UInt8] = []
        var response: HTTPResponse?
        let headerAllowance = 16 * 1024
        while true {
            guard let chunk = connection.receive() else { break }  // timeout or reset: use what we have
            let endOfStream = chunk.isEmpty
            received += chunk
            response = HTTPResponse.parse(received, endOfStream: endOfStream)
            if endOfStream || response?.isComplete == true { break }
            if received.count > maxBodyBytes + headerAllowance { break }
        }
        guard let response else {
            return .notReady(received.isEmpty
                ? "no HTTP answer from \(display) within \(secondsText(networkTimeout))s"
                : "no valid HTTP answer from \(display)")
        }
        guard response.status == expectedStatus else {
            return .notReady("HTTP \(response.status) from \(requestPath), expected \(expectedStatus)")
        }
        if let bodyText, !bodyText.isEmpty {
            let body = String(decoding: response.body.prefix(maxBodyBytes), as: UTF8.self)
            guard body.contains(bodyText) else { return .notReady("body of \(requestPath) lacks '\(bodyText)'") }
        }
        return .ready
    }
}
