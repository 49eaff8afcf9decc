import Foundation
import XCTest

/// The OpenAI-compatible client against the real llama.cpp server with SmolLM2, through bench.
final class LLMClientTests: XCTestCase {
    var bench: BenchProcess!

    override func setUpWithError() throws { bench = try BenchProcess() }

    override func tearDown() {
        _ = try? bench.run(["--cleanup"])
        bench.cleanUp()
    }

    private func kindMetrics(_ session: String, _ run: String) throws -> [String: Any] {
        let data = try Data(contentsOf: bench.directory.appendingPathComponent("sessions/\(session)/runs/\(run).json"))
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        return try XCTUnwrap(object["kind_metrics"] as? [String: Any])
    }

    func testSweepAndSLORunAgainstLlamaCpp() throws {
        let result = try bench.run(["--session", "llm"], stdin: """
        server start llama-smollm2
        client sweep chat-short --target s1 --concurrency 1,2 --requests 4
        client run chat-short --target s1 --requests 4 --concurrency 2 --slo ttft=1ms

        """)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("c=1") && result.stdout.contains("c=2"), result.stdout)
        for run in ["r1", "r2"] {
            let m = try kindMetrics("llm", run)
            XCTAssertEqual(m["completed"] as? Int, 4, "\(m)")
            XCTAssertEqual(m["failed"] as? Int, 0, "\(m)")
            // TTFT never exceeds the whole request; goodput never exceeds throughput.
            XCTAssertLessThanOrEqual(try XCTUnwrap(m["median_ttft_ms"] as? Double), try XCTUnwrap(m["median_e2el_ms"] as? Double))
            XCTAssertLessThanOrEqual(try XCTUnwrap(m["request_goodput"] as? Double), try XCTUnwrap(m["request_throughput"] as? Double) + 1e-9)
            // ignore_eos with max_tokens 32: the server's usage says 32 tokens per answer.
            XCTAssertEqual(m["output_tokens_source"] as? String, "usage")
            XCTAssertEqual(m["total_output_tokens"] as? Int, 4 * 32, "\(m)")
        }
        // A 1 ms TTFT objective: nothing is good, though everything completed.
        let tight = try kindMetrics("llm", "r3")
        XCTAssertEqual(tight["request_goodput"] as? Double, 0)
        XCTAssertGreaterThan(tight["request_throughput"] as? Double ?? 0, 0)
        let script = try bench.read("sessions/llm.bench")
        XCTAssertTrue(script.contains("client sweep chat-short --target s1 --requests 4 --concurrency 1,2 --seed 1  # -> r1 r2"), script)
    }
}
