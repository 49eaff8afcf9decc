import Foundation
import XCTest

/// Every shipped server recipe starts for real through bench and answers its own protocol.
/// scripts/install-test-deps.sh installs the services and builds llama-server and the Chroma venv.
final class ShippedServerRecipeTests: XCTestCase {
    var bench: BenchProcess!

    override func setUpWithError() throws { bench = try BenchProcess() }

    override func tearDown() {
        _ = try? bench.run(["--cleanup"])
        bench.cleanUp()
    }

    func testEveryShippedServerStartsAndAnswers() throws {
        let (process, input, output, errors) = try bench.start(["--session", "shipped"])
        input.fileHandleForWriting.write(Data("""
        server start redis
        server start memcached
        server start nginx
        server start postgres
        server start llama-smollm2
        server start chroma

        """.utf8))
        var servers: [String: [String: Any]] = [:]
        BenchProcess.waitUntil(90, "all six servers ready") {
            servers = ServiceProbes.servers(in: bench.directory, session: "shipped")
            return (1...6).allSatisfy { ServiceProbes.isReady(servers["s\($0)"]) } || !process.isRunning
        }
        defer {
            try? input.fileHandleForWriting.close()
            process.waitUntilExit()
        }
        guard (1...6).allSatisfy({ ServiceProbes.isReady(servers["s\($0)"]) }) else {
            try? input.fileHandleForWriting.close()
            let err = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            _ = output.fileHandleForReading.readDataToEndOfFile()
            return XCTFail("not every server became ready:\n\(err)")
        }

        XCTAssertTrue(ServiceProbes.redisPing(port: try XCTUnwrap(ServiceProbes.port(servers["s1"]))))
        let stats = ServiceProbes.exchange(port: try XCTUnwrap(ServiceProbes.port(servers["s2"])), request: "stats\r\n", until: { $0.contains("END\r\n") })
        XCTAssertTrue(stats?.contains("STAT pid") == true, stats ?? "no answer from memcached")

        let nginxPort = try XCTUnwrap(ServiceProbes.port(servers["s3"]))
        XCTAssertEqual(ServiceProbes.httpGet(port: nginxPort)?.0, 200)
        XCTAssertEqual(ServiceProbes.httpGet(port: nginxPort, path: "/nginx_status")?.0, 200)
        // The exporter started beside nginx scrapes it.
        BenchProcess.waitUntil(10, "nginx exporter to report nginx_up 1") {
            ServiceProbes.httpGet(port: ServiceProbes.port(servers["s3"], "metrics") ?? 0, path: "/metrics")?.1.contains("nginx_up 1") == true
        }

        let pgPort = try XCTUnwrap(ServiceProbes.port(servers["s4"]))
        let psql = Process()
        psql.executableURL = URL(fileURLWithPath: "/usr/bin/psql")
        psql.arguments = ["-h", "127.0.0.1", "-p", String(pgPort), "-U", "postgres", "-d", "postgres", "-tAc", "select 40 + 2"]
        let psqlOut = Pipe()
        psql.standardOutput = psqlOut
        psql.standardError = psqlOut
        try psql.run()
        let answer = String(decoding: psqlOut.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        psql.waitUntilExit()
        XCTAssertEqual(answer.trimmingCharacters(in: .whitespacesAndNewlines), "42")

        // llama.cpp answers a streamed chat completion with SmolLM2, ending in [DONE].
        let llamaPort = try XCTUnwrap(ServiceProbes.port(servers["s5"]))
        let body = #"{"messages":[{"role":"user","content":"Say hello."}],"max_tokens":8,"stream":true}"#
        let request = "POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
        let stream = ServiceProbes.exchange(port: llamaPort, request: request, timeout: 30) ?? ""
        XCTAssertTrue(stream.hasPrefix("HTTP/1.1 200"), stream)
        XCTAssertTrue(stream.contains("data: {"), stream)
        XCTAssertTrue(stream.contains("\"delta\""), stream)
        XCTAssertTrue(stream.contains("data: [DONE]"), stream)
        XCTAssertTrue(ServiceProbes.httpGet(port: llamaPort, path: "/metrics")?.1.contains("llamacpp:") == true)

        let chromaPort = try XCTUnwrap(ServiceProbes.port(servers["s6"]))
        XCTAssertEqual(ServiceProbes.httpGet(port: chromaPort, path: "/api/v2/heartbeat")?.0, 200)

        // End of input: bench stops all six, leaving nothing behind.
        try input.fileHandleForWriting.close()
        let err = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, err)
        XCTAssertTrue(err.contains("stopped s1 s2 s3 s4 s5 s6 on exit"), err)
        for handle in (1...6).map({ "s\($0)" }) {
            if let pid = ServiceProbes.pid(servers[handle]) { XCTAssertFalse(ServiceProbes.groupIsAlive(pid), "\(handle) still runs") }
        }
    }
}
