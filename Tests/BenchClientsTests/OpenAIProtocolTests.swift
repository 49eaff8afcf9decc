@testable import BenchClients
import BenchCore
import Foundation
import XCTest

/// The openai codec against a scripted server: split frames, pings, usage present or not, and every way a stream
/// can fail (missing [DONE], empty, 429, 500, an error event mid-stream, a cut connection).
final class OpenAIProtocolTests: XCTestCase {
    private var servers: [OpenAIScriptedServer] = []

    override func tearDown() {
        for server in servers { server.stop() }
        servers = []
    }

    private typealias S = OpenAIScriptedServer

    private func server(_ script: @escaping @Sendable (Int, String) -> [S.Step]) throws -> S {
        let server = try S(script: script)
        servers.append(server)
        return server
    }

    private func config(endpoint: OpenAIEndpoint = .chat, slo: SLOSpec = SLOSpec(), apiKey: String? = nil,
                        port: Int) -> OpenAIRunConfig {
        OpenAIRunConfig(params: OpenAIParams(endpoint: endpoint, maxTokens: 8, ignoreEOS: true),
                        model: "scripted", hostHeader: "127.0.0.1:\(port)", apiKey: apiKey.map(OpenAIAPIKey.init),
                        prompts: [OpenAIPrompt(.text("hello there"), inputTokens: 2),
                                  OpenAIPrompt(.text("general kenobi"), inputTokens: 3)],
                        slo: slo)
    }

    private func run(_ config: OpenAIRunConfig, port: Int, requests: Int, concurrency: Int = 1) async throws
        -> LoadOutcome
    {
        let plan = LoadPlan(host: "127.0.0.1", port: port, concurrency: concurrency, duration: nil, requests: requests,
                            requestTimeout: 5)
        return try await LoadEngine(plan: plan, protocol: .openai(config)).run { _, _, _ in }
    }

    func testSplitFramesPingsAndUsage() async throws {
        // Events split inside their JSON, across HTTP chunks and TCP writes, several per read, with pings between.
        let server = try server { _, _ in
            let first = S.chatEvent("Hel")
            let split = first.index(first.startIndex, offsetBy: 25)
            return [
                .send(S.streamHead + S.chunk(": ping\n\n")),
                .send(S.chunk("data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":null}}]}\n\n")),
                .pause(milliseconds: 30),
                .send(S.chunk(String(first[..<split]))),
                .pause(milliseconds: 5),
                .send(S.chunk(String(first[split...]) + ": keep-alive\n\n")),
                .pause(milliseconds: 10),
                .send(S.chunk(S.chatEvent("lo") + S.chatEvent(" wor"))),
                .pause(milliseconds: 10),
                .send(S.chunk("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"ld\"}}]}\r\n\r\n")),
                .send(S.chunk(S.usageEvent(prompt: 7, completion: 5))),
                .send(S.chunk(S.done) + S.lastChunk),
            ]
        }
        let outcome = try await run(config(port: server.port), port: server.port, requests: 6, concurrency: 2)
        let s = outcome.snapshot
        XCTAssertEqual(s.ok, 6, "\(s.errors)")
        let llm = try XCTUnwrap(outcome.llm)
        XCTAssertEqual(llm.completed, 6)
        XCTAssertEqual(llm.outputTokens, 30, "usage counts, not chunks")
        XCTAssertEqual(llm.contentChunks, 24)
        XCTAssertEqual(llm.inputTokens, 42)
        XCTAssertEqual(llm.outputTokensSource, "usage")
        XCTAssertEqual(llm.ttft.totalCount, 6)
        XCTAssertEqual(llm.itl.totalCount, 18, "3 gaps per request, pooled")
        XCTAssertEqual(llm.tpot.totalCount, 6)
        // The role-only chunk and the pings are not content: TTFT includes the 30 ms pause.
        XCTAssertGreaterThanOrEqual(llm.ttft.min, 30_000)
        XCTAssertLessThanOrEqual(llm.ttft.max, llm.e2el.max)
        XCTAssertEqual(s.inputTokens, 42)
        XCTAssertEqual(s.outputTokens, 30)
        let m = outcome.llmKindMetrics
        XCTAssertEqual(m["completed"], 6)
        XCTAssertEqual(m["failed"], 0)
        XCTAssertEqual(m["total_output_tokens"], 30)
        XCTAssertEqual(m["output_tokens_source"], "usage")
        for key in ["mean_ttft_ms", "median_ttft_ms", "p90_ttft_ms", "p99_ttft_ms", "mean_tpot_ms", "p99_itl_ms",
                    "median_e2el_ms", "request_throughput", "output_throughput", "total_token_throughput",
                    "request_goodput", "total_input_tokens"] {
            XCTAssertNotNil(m[key], key)
        }
        XCTAssertEqual(m["request_goodput"], m["request_throughput"], "no SLO given: every success is good")
        // Each request as sent: streamed, with usage asked for, prompts in order.
        let bodies = server.received
        XCTAssertEqual(bodies.count, 6)
        XCTAssertTrue(bodies[0].hasPrefix("POST /v1/chat/completions HTTP/1.1\r\n"))
        XCTAssertTrue(bodies[0].contains("\"stream\":true"))
        XCTAssertTrue(bodies[0].contains("\"stream_options\":{\"include_usage\":true}"))
        XCTAssertTrue(bodies[0].contains("\"ignore_eos\":true"))
        XCTAssertTrue(bodies[0].contains("\"max_tokens\":8"))
        XCTAssertTrue(bodies[0].contains("\"model\":\"scripted\""))
        XCTAssertEqual(bodies.filter { $0.contains("hello there") }.count, 3)
    }

    func testWithoutUsageOutputTokensAreChunks() async throws {
        let server = try server { _, _ in
            [.send(S.streamHead + S.chunk(S.chatEvent("a") + S.chatEvent("b"))), .pause(milliseconds: 2),
             .send(S.chunk(S.chatEvent("c") + S.done) + S.lastChunk)]
        }
        let outcome = try await run(config(endpoint: .completions, port: server.port), port: server.port, requests: 3)
        let llm = try XCTUnwrap(outcome.llm)
        XCTAssertEqual(llm.completed, 3)
        XCTAssertEqual(llm.outputTokens, 9)
        XCTAssertEqual(llm.outputTokensSource, "chunks")
        XCTAssertEqual(outcome.llmKindMetrics["output_tokens_source"], "chunks")
        // Input tokens fall back to the prompts' known lengths (2, 3, 2).
        XCTAssertEqual(llm.inputTokens, 7)
        XCTAssertTrue(server.received[0].hasPrefix("POST /v1/completions "))
        XCTAssertTrue(server.received[0].contains("\"prompt\":\"hello there\""))
    }

    func testMissingDoneEmptyStreamAndErrorsAreFailures() async throws {
        let server = try server { index, _ in
            switch index {
            case 0:  // content, then the body ends without [DONE]
                return [.send(S.streamHead + S.chunk(S.chatEvent("x")) + S.lastChunk)]
            case 1:  // [DONE] without any content
                return [.send(S.streamHead + S.chunk(": ping\n\n" + S.done) + S.lastChunk)]
            case 2:
                return [.send(S.plain(status: 429, reason: "Too Many Requests", body: "{\"error\":\"slow down\"}"))]
            case 3:  // a 200 whose stream turns into an error mid-way
                return [.send(S.streamHead + S.chunk(S.chatEvent("x"))), .pause(milliseconds: 5),
                        .send(S.chunk("data: {\"error\":{\"code\":500,\"message\":\"boom\"}}\n\n" + S.done) + S.lastChunk)]
            case 4:
                return [.send(S.plain(status: 500, reason: "Internal Server Error", body: "{\"error\":\"oops\"}"))]
            default:
                return [.send(S.streamHead + S.chunk(S.chatEvent("ok") + S.usageEvent(prompt: 1, completion: 1) + S.done)
                              + S.lastChunk)]
            }
        }
        let outcome = try await run(config(port: server.port), port: server.port, requests: 6)
        let s = outcome.snapshot
        XCTAssertEqual(s.ok, 1)
        XCTAssertEqual(s.errors[.protocol], 2, "missing [DONE] and empty stream")
        XCTAssertEqual(s.errors[.status], 3, "429, 500 and the error event")
        XCTAssertEqual(s.statusCounts[429], 1)
        XCTAssertEqual(s.statusCounts[500], 1)
        XCTAssertEqual(outcome.reconnects, 0, "failures keep the connection alive")
        let m = outcome.llmKindMetrics
        XCTAssertEqual(m["completed"], 1)
        XCTAssertEqual(m["failed"], 5)
        XCTAssertEqual(m["total_output_tokens"], 1)
    }

    func testStreamCutMidWayIsAFailure() async throws {
        let server = try server { index, _ in
            if index == 0 {
                return [.send(S.streamHead + S.chunk(S.chatEvent("par"))), .pause(milliseconds: 5),
                        .send("1a\r\ndata: {\"choices\":[{\"de"), .pause(milliseconds: 5), .close]
            }
            return [.send(S.streamHead + S.chunk(S.chatEvent("ok") + S.done) + S.lastChunk)]
        }
        let outcome = try await run(config(port: server.port), port: server.port, requests: 3)
        let s = outcome.snapshot
        XCTAssertEqual(s.ok, 2)
        XCTAssertEqual((s.errors[.protocol] ?? 0) + (s.errors[.closed] ?? 0), 1, "\(s.errors)")
        XCTAssertEqual(outcome.llm?.completed, 2)
    }

    func testServerClosingAfterEachStreamIsNotAFailure() async throws {
        // llama.cpp closes after every streamed answer without saying so: a request written into that close was
        // never seen by the server and goes again on a new connection.
        let server = try server { _, _ in
            [.send(S.streamHead + S.chunk(S.chatEvent("a") + S.done) + S.lastChunk), .pause(milliseconds: 20), .close]
        }
        let outcome = try await run(config(port: server.port), port: server.port, requests: 5)
        XCTAssertEqual(outcome.snapshot.ok, 5, "\(outcome.snapshot.errors)")
        XCTAssertEqual(outcome.snapshot.errorCount, 0)
        XCTAssertEqual(server.received.count, 5, "the server saw each request once")
        XCTAssertGreaterThanOrEqual(outcome.reconnects, 4)
    }

    func testGoodputCountsOnlyRequestsMeetingEverySLO() async throws {
        let server = try server { index, _ in
            // Every other answer starts 40 ms late.
            [.pause(milliseconds: index % 2 == 0 ? 0 : 40),
             .send(S.streamHead + S.chunk(S.chatEvent("a") + S.chatEvent("b") + S.done) + S.lastChunk)]
        }
        let outcome = try await run(config(slo: SLOSpec(ttftMs: 25), port: server.port), port: server.port, requests: 6)
        let llm = try XCTUnwrap(outcome.llm)
        XCTAssertEqual(llm.completed, 6)
        XCTAssertEqual(llm.good, 3)
        let m = outcome.llmKindMetrics
        XCTAssertEqual(m["slo"], ["ttft_ms": 25])
        XCTAssertLessThan(try XCTUnwrap(m["request_goodput"]?.number), try XCTUnwrap(m["request_throughput"]?.number))
    }

    func testAPIKeyIsSentButNeverShown() async throws {
        let server = try server { _, _ in
            [.send(S.streamHead + S.chunk(S.chatEvent("a") + S.done) + S.lastChunk)]
        }
        let config = config(apiKey: "sk-test-123456", port: server.port)
        XCTAssertFalse("\(config)".contains("sk-test-123456"))
        XCTAssertFalse(String(reflecting: config).contains("sk-test-123456"))
        _ = try await run(config, port: server.port, requests: 1)
        XCTAssertTrue(server.received[0].contains("Authorization: Bearer sk-test-123456\r\n"))
    }

    // MARK: Parser alone

    func testParserByteByByte() {
        let body = ": ping\n\n" + "data: {\"choices\":[{\"text\":\"a\"}]}\n\n" + "data:{\"choices\":[{\"text\":\"\"}]}\n\n"
            + "data: {\"choices\":[{\"text\":\"b\"}],\"usage\":null}\n\n"
            + "data: {\"choices\":[], \"usage\": {\"prompt_tokens\": 4, \"completion_tokens\": 2}}\n\n" + "data: [DONE]\n\n"
        let wire = Array((S.streamHead + S.chunk(body) + S.lastChunk).utf8)
        var parser = SSEStreamParser()
        var leftover: [UInt8] = []
        var completed = false
        for (i, byte) in wire.enumerated() {
            leftover.append(byte)
            let (outcome, consumed) = leftover.withUnsafeBytes { parser.parse($0, at: UInt64(i + 1)) }
            leftover.removeFirst(consumed)
            if case .complete(let status, let bytes, let close) = outcome {
                XCTAssertEqual(status, 200)
                XCTAssertEqual(bytes, wire.count)
                XCTAssertFalse(close)
                completed = true
            }
        }
        XCTAssertTrue(completed)
        let s = parser.stream
        XCTAssertEqual(s.contentChunks, 2, "empty text is not content")
        XCTAssertEqual(s.usageOutput, 2)
        XCTAssertEqual(s.usageInput, 4)
        XCTAssertTrue(s.sawDone)
        XCTAssertFalse(s.sawError)
        XCTAssertEqual(s.gaps.count, 1)
        XCTAssertGreaterThan(s.firstContent, 0)
        XCTAssertGreaterThan(s.lastChunk, s.firstContent)
    }

    // MARK: Datasets

    func testDatasetsAreDeterministic() async throws {
        let params = OpenAIParams(maxTokens: 20, dataset: .random, inputLen: 40, outputLen: 30, rangeRatio: 0.5)
        let a = OpenAIDataset.random(params: params, count: 20, seed: 7)
        XCTAssertEqual(a, OpenAIDataset.random(params: params, count: 20, seed: 7))
        XCTAssertNotEqual(a, OpenAIDataset.random(params: params, count: 20, seed: 8))
        for prompt in a {
            let words = prompt.text.split(separator: " ").count
            XCTAssertTrue((20...60).contains(words), "\(words)")
            XCTAssertLessThanOrEqual(prompt.maxTokens ?? 0, 20, "max_tokens caps the drawn output length")
        }

        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
        let file = try await OpenAIRunConfig.prepare(
            params: OpenAIParams(model: "m", dataset: .file, datasetPath: "examples/prompts.jsonl"), slo: SLOSpec(),
            host: "127.0.0.1", port: 9, seed: 1, requests: 10, environment: [:], baseDirectory: root)
        XCTAssertEqual(file.prompts.count, 30)
        XCTAssertTrue(file.prompts.contains { if case .messages = $0.content { true } else { false } })

        let sharegpt = FileManager.default.temporaryDirectory.appendingPathComponent("sharegpt-\(UUID()).json")
        defer { try? FileManager.default.removeItem(at: sharegpt) }
        try """
        [{"conversations": [{"from": "human", "value": "first question"}, {"from": "gpt", "value": "answer"}]},
         {"conversations": [{"from": "gpt", "value": "no human here"}]},
         {"conversations": [{"from": "system", "value": "sys"}, {"from": "human", "value": "second question"}]}]
        """.write(to: sharegpt, atomically: true, encoding: .utf8)
        let shared = try OpenAIDataset.shareGPT(at: sharegpt.path, count: 10, seed: 3)
        XCTAssertEqual(Set(shared.map(\.text)), ["first question", "second question"])
        XCTAssertEqual(shared, try OpenAIDataset.shareGPT(at: sharegpt.path, count: 10, seed: 3))

        do {
            _ = try await OpenAIRunConfig.prepare(
                params: OpenAIParams(model: "m", apiKeyEnv: "BENCH_TEST_KEY"), slo: SLOSpec(), host: "127.0.0.1",
                port: 9, seed: 1, requests: 1, environment: [:], baseDirectory: root)
            XCTFail("a missing key variable is an error")
        } catch let error as OpenAIPrepareError {
            XCTAssertEqual(error, .missingAPIKey(variable: "BENCH_TEST_KEY"))
        }
    }
}
