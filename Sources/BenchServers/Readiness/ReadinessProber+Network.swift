import BenchNetwork

/// The `http` and `tcp` probes, on BenchNetwork's slow-path client.
///
/// The client never follows redirects, keeps connections or caches, so a probe's cost and
/// timeout stay predictable; the reasons here keep the probes' own wording.
extension ReadinessProber {
    /// A probe's share of a response: the body limit plus room for the head.
    static let responseAllowance = maxBodyBytes + 16 * 1024

    static func probeHTTP(host: String, port: Int, path: String, expectedStatus: Int, bodyText: String?) async -> ProbeResult {
        let target = AddressResolver.connectableHost(host)
        let requestPath = path.hasPrefix("/") ? path : "/" + path
        let display = AddressResolver.display(host: target, port: port)
        let client = SlowHTTPClient(timeout: networkTimeout, maxResponseBytes: responseAllowance)
        let request = HTTPRequest(path: requestPath, headers: [("User-Agent", "bench-readiness"), ("Accept", "*/*")])
        // A deadline, reset or size limit ends reading: judge what arrived, as a health page
        // larger than the limit still shows its status and first bytes.
        let exchange: HTTPExchange
        do {
            exchange = try await client.exchange(request, host: target, port: port)
        } catch {
            return .notReady(reason(error))
        }
        guard let response = exchange.response else {
            return .notReady(exchange.received.isEmpty
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

    static func probeTCP(host: String, port: Int) async -> ProbeResult {
        do {
            try await SlowHTTPClient(timeout: networkTimeout)
                .checkConnection(host: AddressResolver.connectableHost(host), port: port)
            return .ready
        } catch {
            return .notReady(reason(error))
        }
    }

    /// Why a connect or a request failed, in the probes' words ("connection refused on …").
    static func reason(_ error: NetworkError) -> String {
        switch error {
        case .refused(let peer): return "connection refused on \(peer)"
        case .connectTimedOut(let peer): return "connection to \(peer) timed out"
        case .unresolvable(let host, let reason): return "cannot resolve host '\(host)': \(reason)"
        case .sendFailed(let peer, let reason): return "cannot send a request to \(peer): \(reason)"
        default: return "\(error)"
        }
    }
}
