@testable import BenchClients
import BenchCore
import BenchNetwork
import Foundation
import Synchronization
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// The openai client against a real llama.cpp server with SmolLM2-135M: the metrics' relations hold, and the tokens
/// counted equal what the server says it generated. Skipped where the binary or the model is missing.
final class OpenAILlamaServerTests: XCTestCase {
    /// One server for the class (started by the first test, stopped after the last).
    private static let shared = Mutex<LlamaServer?>(nil)

    override class func tearDown() {
        shared.withLock { server in
            server?.stop()
            server = nil
        }
        super.tearDown()
    }

    private func llama() throws -> LlamaServer {
        try Self.shared.withLock { server in
            if let server { return server }
            let started = try LlamaServer.start()
            server = started
            return started
        }
    }

    private func run(_ config: OpenAIRunConfig, port: Int, requests: Int, concurrency: Int) async throws -> LoadOutcome {
        let plan = LoadPlan(host: "127.0.0.1", port: port, concurrency: concurrency, duration: nil, requests: requests,
                            requestTimeout: 60)
        return try await LoadEngine(plan: plan, protocol: .openai(config)).run { _, _, _ in }
    }

    func testClosedLoopMetricsAgainstLlamaServer() async throws {
        let server = try llama()
        let params = OpenAIParams(endpoint: .chat, model: nil, maxTokens: 16, temperature: 0, ignoreEOS: true,
                                  dataset: .random, inputLen: 24, outputLen: 16, rangeRatio: 0)
        let config = try await OpenAIRunConfig.prepare(
            params: params, slo: SLOSpec(), host: "127.0.0.1", port: server.port, seed: 1, requests: 8,
            environment: [:], baseDirectory: "/")
        XCTAssertTrue(config.model.hasSuffix(".gguf"), "discovered from /v1/models: \(config.model)")
        XCTAssertEqual(config.prompts.count, 8)
        // /tokenize matched every prompt to its drawn length exactly.
        XCTAssertEqual(config.prompts.map(\.inputTokens), Array(repeating: 24, count: 8))

        let predictedBefore = try server.metric("llamacpp:tokens_predicted_total")
        let outcome = try await run(config, port: server.port, requests: 8, concurrency: 2)
        let predictedAfter = try server.metric("llamacpp:tokens_predicted_total")

        let s = outcome.snapshot
        XCTAssertEqual(s.ok, 8, "\(s.errors)")
        let llm = try XCTUnwrap(outcome.llm)
        XCTAssertEqual(llm.completed, 8)
        XCTAssertEqual(llm.outputTokensSource, "usage")
        XCTAssertEqual(llm.outputTokens, 8 * 16, "ignore_eos: max_tokens every time")
        XCTAssertEqual(llm.contentChunks, llm.outputTokens, "llama.cpp streams a token a chunk")
        XCTAssertEqual(Double(llm.outputTokens), predictedAfter - predictedBefore, "the server's own count")
        XCTAssertGreaterThan(llm.inputTokens, 8 * 24, "chat prompts plus the template")
        XCTAssertEqual(llm.tpot.totalCount, 8)
        XCTAssertEqual(llm.itl.totalCount, 8 * 15)

        let m = outcome.llmKindMetrics
        func value(_ key: String) throws -> Double { try XCTUnwrap(m[key]?.number, key) }
        XCTAssertLessThanOrEqual(try value("mean_ttft_ms"), try value("mean_e2el_ms"))
        XCTAssertLessThanOrEqual(try value("p99_ttft_ms"), try value("p99_e2el_ms"))
        XCTAssertLessThanOrEqual(llm.ttft.max, llm.e2el.max)
        XCTAssertLessThanOrEqual(try value("request_goodput"), try value("request_throughput"))
        XCTAssertGreaterThan(try value("request_throughput"), 0)
        XCTAssertEqual(try value("output_throughput"), try value("request_throughput") * 16, accuracy: 1e-6)
        XCTAssertGreaterThan(try value("mean_tpot_ms"), 0)
        XCTAssertGreaterThan(try value("mean_itl_ms"), 0)
        XCTAssertEqual(try value("failed"), 0)
        // The first byte of an LLM answer is its first content chunk.
        XCTAssertEqual(s.timeToFirstByte.totalCount, 8)
    }

    func testTightTTFTSLOLowersGoodput() async throws {
        let server = try llama()
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
        let params = OpenAIParams(endpoint: .completions, model: nil, maxTokens: 8, ignoreEOS: true, dataset: .file,
                                  datasetPath: "examples/prompts.jsonl")
        let tight = try await OpenAIRunConfig.prepare(
            params: params, slo: SLOSpec(ttftMs: 0.01), host: "127.0.0.1", port: server.port, seed: 1, requests: 4,
            environment: [:], baseDirectory: root)
        let outcome = try await run(tight, port: server.port, requests: 4, concurrency: 2)
        XCTAssertEqual(outcome.snapshot.ok, 4, "\(outcome.snapshot.errors)")
        let m = outcome.llmKindMetrics
        XCTAssertEqual(m["request_goodput"], 0, "no answer starts within 10 µs")
        XCTAssertGreaterThan(try XCTUnwrap(m["request_throughput"]?.number), 0)
        XCTAssertEqual(m["slo"], ["ttft_ms": 0.01])

        var loose = tight
        loose.slo = SLOSpec(ttftMs: 60_000, tpotMs: 60_000, e2elMs: 60_000)
        let relaxed = try await run(loose, port: server.port, requests: 4, concurrency: 2).llmKindMetrics
        XCTAssertEqual(relaxed["request_goodput"], relaxed["request_throughput"])
        XCTAssertEqual(relaxed["good_requests"], 4)
    }
}

/// llama-server with SmolLM2-135M on a free port, `--metrics -t 1 -c 2048`, ready when `/health` answers 200.
final class LlamaServer: @unchecked Sendable {
    // @unchecked: fields fixed after start; used from one test at a time.
    let port: Int
    private let process: Process

    private init(port: Int, process: Process) {
        self.port = port
        self.process = process
    }

    static func start() throws -> LlamaServer {
        let cache = ProcessInfo.processInfo.environment["BENCH_CACHE"]
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/bench").path
        let binary = "\(cache)/llama.cpp/bin/llama-server"
        let model = "\(cache)/models/SmolLM2-135M-Instruct-Q4_1.gguf"
        guard FileManager.default.isExecutableFile(atPath: binary), FileManager.default.fileExists(atPath: model) else {
            throw XCTSkip("llama.cpp server or SmolLM2 model not installed under \(cache)")
        }
        let port = try TestServer.freePort()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["-m", model, "--host", "127.0.0.1", "--port", "\(port)", "--metrics", "-t", "1",
                             "-c", "2048"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let server = LlamaServer(port: port, process: process)
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline && process.isRunning {
            if (try? server.get("/health").status) == 200 { return server }
            usleep(100_000)
        }
        server.stop()
        throw XCTSkip("llama-server did not become healthy on port \(port)")
    }

    func stop() {
        guard process.isRunning else { return }
        // SIGKILL: the test runner's children start with SIGTERM blocked.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// A counter from `/metrics` (Prometheus text).
    func metric(_ name: String) throws -> Double {
        let (status, body) = try get("/metrics")
        guard status == 200 else { throw XCTSkip("/metrics answered \(status)") }
        for line in body.split(separator: "\n") where line.hasPrefix(name + " ") {
            if let value = Double(line.dropFirst(name.count + 1).trimmingCharacters(in: .whitespaces)) { return value }
        }
        throw XCTSkip("\(name) not in /metrics")
    }

    /// A blocking GET with `Connection: close`.
    func get(_ path: String) throws -> (status: Int, body: String) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        guard connected else { throw CocoaError(.fileReadUnknown) }
        let request = Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8)
        _ = request.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = read(fd, &buffer, buffer.count)
            if n <= 0 { break }
            data.append(contentsOf: buffer[0..<n])
        }
        guard let response = HTTPResponse.parse(data, endOfStream: true) else { throw CocoaError(.fileReadCorruptFile) }
        return (response.status, String(decoding: response.body, as: UTF8.self))
    }
}
