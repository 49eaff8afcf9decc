import BenchNetwork
import Foundation
import Glibc
import XCTest

/// The slow-path client against real local sockets (`ScriptedHTTPServer`).
final class SlowHTTPClientTests: XCTestCase {
    private var servers: [ScriptedHTTPServer] = []

    override func tearDown() {
        for server in servers { server.stop() }
        servers = []
    }

    private func server(readRequest: Bool = true,
                        _ script: @escaping @Sendable (String) -> [ScriptedHTTPServer.Step]) throws -> ScriptedHTTPServer {
        let server = try ScriptedHTTPServer(readRequest: readRequest, script: script)
        servers.append(server)
        return server
    }

    /// A port nothing listens on (bound, then closed).
    private func closedPort() throws -> Int {
        let server = try ScriptedHTTPServer(readRequest: false) { _ in [] }
        server.stop()
        return server.port
    }

    func testGetReadsAContentLengthBodyWithoutWaitingForTheClose() async throws {
        let server = try server { _ in [.send("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Kind: test\r\n\r\nhello"), .hold] }
        let started = ContinuousClock.now
        let response = try await SlowHTTPClient(timeout: .seconds(5)).get(host: "127.0.0.1", port: server.port, path: "/a?b=c")
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(2), "a whole answer ends reading; the server lingers")
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.text, "hello")
        XCTAssertEqual(response.headers["x-kind"], "test")
        XCTAssertTrue(response.isComplete)
        let request = try XCTUnwrap(server.received.first)
        XCTAssertTrue(request.hasPrefix("GET /a?b=c HTTP/1.1\r\nHost: 127.0.0.1:\(server.port)\r\n"), request)
        XCTAssertTrue(request.contains("\r\nUser-Agent: bench\r\nAccept: */*\r\nConnection: close\r\n\r\n"), request)
    }

    func testChunkedBodyAcrossWritesAndABodyEndedByTheClose() async throws {
        let chunked = try server { _ in
            [.send("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel"), .pause(milliseconds: 30),
             .send("lo\r\n6;x=y\r\n world\r\n"), .pause(milliseconds: 30), .send("0\r\n\r\n"), .hold]
        }
        let client = SlowHTTPClient(timeout: .seconds(5))
        let first = try await client.get(host: "127.0.0.1", port: chunked.port, path: "/")
        XCTAssertEqual(first.text, "hello world")
        let closing = try server { _ in [.send("HTTP/1.0 404 Not Found\r\n\r\nno such "), .pause(milliseconds: 20), .send("page")] }
        let second = try await client.get(host: "127.0.0.1", port: closing.port, path: "/x")
        XCTAssertEqual(second.status, 404)
        XCTAssertEqual(second.text, "no such page")
    }

    func testPostSendsHeadersAndBody() async throws {
        let server = try server { request in
            let body = request.components(separatedBy: "\r\n\r\n").last ?? ""
            return [.send("HTTP/1.1 201 Created\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")]
        }
        let request = HTTPRequest(method: "POST", path: "/tokenize", headers: [("Content-Type", "application/json")],
                                  body: Array("{\"content\":\"hi\"}".utf8), hostHeader: "model.example")
        let response = try await SlowHTTPClient().send(request, host: "127.0.0.1", port: server.port)
        XCTAssertEqual(response.status, 201)
        XCTAssertEqual(response.text, "{\"content\":\"hi\"}")
        let received = try XCTUnwrap(server.received.first)
        XCTAssertTrue(received.hasPrefix("POST /tokenize HTTP/1.1\r\nHost: model.example\r\nContent-Type: application/json\r\n"),
                      received)
        XCTAssertTrue(received.contains("\r\nContent-Length: 16\r\n\r\n"), received)
    }

    func testRefusedNamesHostAndPort() async throws {
        let port = try closedPort()
        do {
            _ = try await SlowHTTPClient(timeout: .seconds(2)).get(host: "127.0.0.1", port: port, path: "/")
            XCTFail("expected a refusal")
        } catch {
            XCTAssertEqual(error, .refused("127.0.0.1:\(port)"))
            XCTAssertEqual("\(error)", "cannot connect to 127.0.0.1:\(port): Connection refused")
        }
        do {
            try await SlowHTTPClient(timeout: .seconds(2)).checkConnection(host: "127.0.0.1", port: port)
            XCTFail("expected a refusal")
        } catch {
            XCTAssertEqual(error, .refused("127.0.0.1:\(port)"))
        }
    }

    func testCheckConnectionSucceedsOnAListener() async throws {
        let server = try server(readRequest: false) { _ in [.hold] }
        try await SlowHTTPClient(timeout: .seconds(2)).checkConnection(host: "127.0.0.1", port: server.port)
    }

    func testSilentServerTimesOutWithinTheDeadline() async throws {
        let server = try server(readRequest: false) { _ in [.hold] }
        let client = SlowHTTPClient(timeout: .milliseconds(300))
        let started = ContinuousClock.now
        let exchange = try await client.exchange(HTTPRequest(path: "/"), host: "127.0.0.1", port: server.port)
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(2))
        XCTAssertEqual(exchange.ending, .timedOut)
        XCTAssertEqual(exchange.received, [])
        XCTAssertNil(exchange.response)
        XCTAssertThrowsError(try exchange.completeResponse()) { error in
            XCTAssertEqual("\(error)", "response to 127.0.0.1:\(server.port) timed out")
        }
    }

    func testAHeadWithoutItsBodyIsAvailableAfterTheDeadline() async throws {
        let server = try server { _ in [.send("HTTP/1.1 503 Busy\r\nContent-Length: 100\r\n\r\nstarting"), .hold] }
        let exchange = try await SlowHTTPClient(timeout: .milliseconds(300))
            .exchange(HTTPRequest(path: "/health"), host: "127.0.0.1", port: server.port)
        XCTAssertEqual(exchange.ending, .timedOut)
        XCTAssertEqual(exchange.response?.status, 503)
        XCTAssertEqual(exchange.response?.text, "starting")
        XCTAssertEqual(exchange.response?.isComplete, false)
    }

    func testResponseLargerThanTheLimitIsCutOff() async throws {
        let big = String(repeating: "x", count: 5000)
        let server = try server { _ in [.send("HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n" + big), .hold] }
        let client = SlowHTTPClient(timeout: .seconds(5), maxResponseBytes: 1000)
        do {
            _ = try await client.get(host: "127.0.0.1", port: server.port, path: "/metrics")
            XCTFail("expected the limit")
        } catch {
            XCTAssertEqual("\(error)", "response from 127.0.0.1:\(server.port) is larger than 1000 bytes")
        }
    }

    func testBrokenAnswersAreNamed() async throws {
        let client = SlowHTTPClient(timeout: .seconds(5))
        let cases: [(String, (Int) -> String)] = [
            ("", { "127.0.0.1:\($0) closed the connection without a response" }),
            ("HTTP/1.1 200 OK\r\nContent-Le", { "incomplete HTTP response from 127.0.0.1:\($0)" }),
            ("SSH-2.0-OpenSSH_9\r\n\r\n", { "not an HTTP response from 127.0.0.1:\($0): SSH-2.0-OpenSSH_9" }),
            ("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabcd", { "response from 127.0.0.1:\($0) ended early" }),
            ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n",
             { "truncated chunked response from 127.0.0.1:\($0)" }),
        ]
        for (answer, message) in cases {
            let server = try server { _ in answer.isEmpty ? [.close] : [.send(answer), .close] }
            do {
                _ = try await client.get(host: "127.0.0.1", port: server.port, path: "/")
                XCTFail("expected an error for \(answer.debugDescription)")
            } catch {
                XCTAssertEqual("\(error)", message(server.port))
            }
        }
    }

    func testManyRequestsAtOnce() async throws {
        let server = try server { request in
            let path = request.split(separator: " ").dropFirst().first.map(String.init) ?? "?"
            return [.send("HTTP/1.1 200 OK\r\nContent-Length: \(path.utf8.count)\r\n\r\n\(path)")]
        }
        let client = SlowHTTPClient(timeout: .seconds(10))
        let port = server.port
        let bodies = try await withThrowingTaskGroup(of: (Int, String).self) { group in
            for i in 0..<32 {
                group.addTask { (i, try await client.get(host: "127.0.0.1", port: port, path: "/\(i)").text) }
            }
            return try await group.reduce(into: [Int: String]()) { $0[$1.0] = $1.1 }
        }
        XCTAssertEqual(bodies.count, 32)
        for i in 0..<32 { XCTAssertEqual(bodies[i], "/\(i)") }
    }

    func testResolver() async throws {
        let local = try AddressResolver.resolve(host: "localhost", port: 8080)
        XCTAssertEqual(local.first?.protocol, .inet, "IPv4 first: services here listen on 127.0.0.1")
        XCTAssertEqual(local.first?.port, 8080)
        XCTAssertEqual(try AddressResolver.resolve(host: "::1", port: 1).first?.protocol, .inet6)
        XCTAssertThrowsError(try AddressResolver.resolve(host: "127.0.0.1", port: 70000)) { error in
            XCTAssertEqual("\(error)", "port 70000 is out of range (0-65535)")
        }
        XCTAssertThrowsError(try AddressResolver.resolve(host: "no-such-host.invalid", port: 80)) { error in
            guard case NetworkError.unresolvable(host: "no-such-host.invalid", _) = error else { return XCTFail("\(error)") }
            XCTAssertTrue("\(error)".hasPrefix("cannot resolve no-such-host.invalid: "), "\(error)")
        }
        XCTAssertEqual(AddressResolver.display(host: "::1", port: 9090), "[::1]:9090")
        XCTAssertEqual(AddressResolver.display(host: "10.0.0.1", port: 9090), "10.0.0.1:9090")
        XCTAssertEqual(AddressResolver.connectableHost("0.0.0.0"), "127.0.0.1")
        XCTAssertEqual(AddressResolver.connectableHost("::"), "::1")
        XCTAssertEqual(AddressResolver.connectableHost("node7"), "node7")
    }
}
