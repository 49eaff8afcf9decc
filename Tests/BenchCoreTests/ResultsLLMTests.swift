@testable import BenchCore
import Foundation
import Histogram
import XCTest

/// LLM results: their histograms travel in the result file, and several nodes' results merge into exact LLM metrics.
final class ResultsLLMTests: XCTestCase {
    private let ms: UInt64 = 1_000_000
    private let second: UInt64 = 1_000_000_000
    private let slo = SLOSpec(ttftMs: 150, tpotMs: 18)

    /// One node's (or the whole run's) aggregators, as an openai run's event loop keeps them.
    private struct Node {
        let run: RunAggregator
        let llm: LLMAggregator

        init(slo: SLOSpec) {
            run = RunAggregator(warmupEnd: 1_000_000_000)
            llm = LLMAggregator(warmupEnd: 1_000_000_000, slo: slo)
        }

        func record(_ result: RequestResult, _ sample: LLMRequestSample) {
            run.record(result)
            llm.record(sample, of: result)
        }
    }

    /// `count` streamed answers, 2 ms apart (the first second is warm-up), with varied TTFT, token counts and gaps;
    /// every 53rd fails.
    private func requests(_ count: Int, seed: UInt64) -> [(RequestResult, LLMRequestSample)] {
        var generator = SplitMix(seed: seed)
        return (0..<count).map { i in
            let scheduled = UInt64(i) * 2 * ms
            let sent = scheduled + generator.next() % 100_000
            let firstContent = sent + 20 * ms + generator.next() % (200 * ms)
            let tokens = 1 + Int(generator.next() % 64)
            let gaps = (1..<max(tokens, 1)).map { _ in 5 * ms + generator.next() % (20 * ms) }
            let lastChunk = firstContent + gaps.reduce(0, +)
            let failed = i % 53 == 0
            let result = RequestResult(scheduled: scheduled, sent: sent, firstByte: firstContent, completed: lastChunk + 1_000,
                                       bytesReceived: 200 * tokens, status: 200, error: failed ? .protocol : nil)
            let sample = LLMRequestSample(firstContent: firstContent, lastChunk: lastChunk, contentChunks: tokens,
                                          outputTokens: tokens, inputTokens: 10 + Int(generator.next() % 500),
                                          outputFromUsage: i % 3 != 0, interTokenGaps: gaps)
            return (result, sample)
        }
    }

    /// The node's result as the client manager writes it (LLM metrics as `LoadOutcome.llmKindMetrics` makes them),
    /// read back from its file.
    private func result(of node: Node, runEnd: UInt64) throws -> RunResult {
        let snapshot = node.run.snapshot()
        let collector = RunCollector()
        collector.add(node.run.takeSeconds(upTo: .max))
        collector.add(snapshot)
        let kindMetrics = node.llm.snapshot().kindMetrics(failed: snapshot.errorCount,
                                                          duration: RunCollector.measuredDuration(snapshot, runEnd: runEnd))
        let result = collector.finish(run: "r1", session: "llm", recipe: .init(name: "chat-short", kind: "openai", sha256: "ab"),
                                      target: .init(given: "s1", host: "127.0.0.1", port: 8000, portName: "http"),
                                      workload: .init(mode: "closed", concurrency: 8, duration: 8, warmup: 1, seed: 1),
                                      startedAt: Date(timeIntervalSince1970: 1_700_000_000),
                                      endedAt: Date(timeIntervalSince1970: 1_700_000_009), runEnd: runEnd, kindMetrics: kindMetrics)
        return try RunResult.decode(from: result.jsonData())
    }

    private func assertSameHistograms(_ a: LLMSnapshot, _ b: LLMSnapshot, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.ttft, b.ttft, "ttft", file: file, line: line)
        XCTAssertEqual(a.tpot, b.tpot, "tpot", file: file, line: line)
        XCTAssertEqual(a.itl, b.itl, "itl", file: file, line: line)
        XCTAssertEqual(a.e2el, b.e2el, "e2el", file: file, line: line)
    }

    func testLLMResultRoundTripsWithItsHistograms() throws {
        let node = Node(slo: slo)
        for (result, sample) in requests(3_000, seed: 7) { node.record(result, sample) }
        let original = node.llm.snapshot()
        let decoded = try result(of: node, runEnd: 7 * second)

        let text = String(decoding: try decoded.jsonData(), as: UTF8.self)
        XCTAssertTrue(text.contains("\"schema\" : \"bench.run/1\""), "an optional addition: the schema stays")
        for key in ["ttft", "tpot", "itl", "e2el"] {
            let histogram = try XCTUnwrap(decoded.kindMetrics[LLMHistograms.key]?.decode([String: SerializedHistogram].self)[key], key)
            XCTAssertEqual(histogram.significantDigits, 3)
            XCTAssertEqual(histogram.unit, "us")
        }
        XCTAssertEqual(try RunResult.decode(from: decoded.jsonData()), decoded)
        XCTAssertEqual(try decoded.jsonData(), try RunResult.decode(from: decoded.jsonData()).jsonData(), "encoding is stable")

        let rebuilt = try XCTUnwrap(LLMSnapshot(kindMetrics: decoded.kindMetrics))
        assertSameHistograms(rebuilt, original)
        XCTAssertEqual(rebuilt.ttft.valueAtPercentile(99), original.ttft.valueAtPercentile(99))
        XCTAssertEqual(rebuilt.itl.totalCount, original.itl.totalCount)
        XCTAssertGreaterThan(rebuilt.itl.totalCount, 10_000, "the gaps were pooled")
        XCTAssertEqual(rebuilt.completed, original.completed)
        XCTAssertEqual(rebuilt.good, original.good)
        XCTAssertEqual(rebuilt.inputTokens, original.inputTokens)
        XCTAssertEqual(rebuilt.outputTokens, original.outputTokens)
        XCTAssertEqual(rebuilt.outputFromUsage, original.outputFromUsage)
        XCTAssertEqual(rebuilt.contentChunks, original.contentChunks)
        XCTAssertEqual(rebuilt.slo, slo)
        // What the rebuilt snapshot says is what the file says.
        let failed = Int(try XCTUnwrap(decoded.kindMetrics["failed"]?.number))
        let duration = try XCTUnwrap(decoded.kindMetrics["duration"]?.number)
        XCTAssertEqual(rebuilt.kindMetrics(failed: failed, duration: duration), decoded.kindMetrics)

        // The summary shows the metrics, not the serialized buckets.
        let summary = RunSummaryRenderer.lines(decoded).joined(separator: "\n")
        XCTAssertTrue(summary.contains("p99_ttft_ms"), summary)
        XCTAssertFalse(summary.contains("significant_digits"), summary)
    }

    /// Two nodes each run part of the load; their result files merge into the LLM metrics one aggregator records.
    func testLLMPartsMergeIntoWhatOneAggregatorRecords() throws {
        let whole = Node(slo: slo)
        let nodes = [Node(slo: slo), Node(slo: slo)]
        let all = requests(4_000, seed: 3)
        for (i, (result, sample)) in all.enumerated() {
            whole.record(result, sample)
            nodes[i % 2].record(result, sample)
        }
        let runEnd = 9 * second
        let parts = try nodes.map { try result(of: $0, runEnd: runEnd) }
        let expected = try result(of: whole, runEnd: runEnd).kindMetrics
        let merged = RunResult.merge(parts).kindMetrics

        // Test data worth the name: some requests failed, some missed an SLO, some had a single token (no TPOT).
        let good = try XCTUnwrap(expected["good_requests"]?.number)
        let completed = try XCTUnwrap(expected["completed"]?.number)
        XCTAssertGreaterThan(good, 0)
        XCTAssertLessThan(good, completed)
        XCTAssertGreaterThan(try XCTUnwrap(expected["failed"]?.number), 0)
        XCTAssertLessThan(whole.llm.snapshot().tpot.totalCount, whole.llm.snapshot().ttft.totalCount)

        // Every metric under its single-node name: histograms, percentiles and counts exactly as one aggregator has them.
        XCTAssertEqual(Set(merged.keys), Set(expected.keys).union(["per_part"]))
        for (key, value) in expected where !LLMSnapshot.rateKeys.contains(key) {
            XCTAssertEqual(merged[key], value, key)
        }
        XCTAssertEqual(merged["completed"], .number(Double(whole.llm.snapshot().completed)))
        XCTAssertEqual(merged["failed"], .number(Double(whole.run.snapshot().errorCount)))
        // Each node ran half the load: their rates add up, as the result's throughput does. That is the whole's rate
        // but for the nodes' measured durations, which end at their own last completion.
        for key in LLMSnapshot.rateKeys {
            let rate = try XCTUnwrap(merged[key]?.number, key)
            let sum = try parts.reduce(0) { $0 + (try XCTUnwrap($1.kindMetrics[key]?.number, key)) }
            XCTAssertGreaterThan(rate, 0, key)
            XCTAssertEqual(rate, sum, accuracy: sum * 1e-12, key)
            XCTAssertEqual(rate, try XCTUnwrap(expected[key]?.number, key), accuracy: rate * 0.01, key)
        }

        // Percentiles are nearest-rank within the histograms' 3 significant digits of the exact one.
        let ttfts = all.enumerated().filter { $0.element.0.error == nil && $0.element.0.scheduled >= second }
            .map { Double(($0.element.1.firstContent - $0.element.0.sent + 500) / 1000) / 1000 }.sorted()
        let exactP99 = ttfts[Int((0.99 * Double(ttfts.count)).rounded(.up)) - 1]
        XCTAssertEqual(try XCTUnwrap(merged["p99_ttft_ms"]?.number), exactP99, accuracy: exactP99 * 1e-3)

        // The merged result merges again, and each part's own metrics stay, without repeating its histograms.
        XCTAssertNotNil(LLMSnapshot(kindMetrics: merged))
        guard case .array(let perPart)? = merged["per_part"] else { return XCTFail("per_part missing") }
        XCTAssertEqual(perPart.count, 2)
        for (entry, part) in zip(perPart, parts) {
            guard case .object(let metrics) = entry else { return XCTFail("per_part entry is not an object") }
            XCTAssertNil(metrics[LLMHistograms.key])
            XCTAssertEqual(metrics["p99_ttft_ms"], part.kindMetrics["p99_ttft_ms"])
        }
    }

    /// Where a part has no LLM histograms (written before they were), percentiles cannot be merged: `per_part` only.
    func testPartsWithoutLLMHistogramsMergeAsBefore() throws {
        let nodes = [Node(slo: slo), Node(slo: slo)]
        for (i, (result, sample)) in requests(1_000, seed: 5).enumerated() { nodes[i % 2].record(result, sample) }
        var parts = try nodes.map { try result(of: $0, runEnd: 3 * second) }
        parts[1].kindMetrics[LLMHistograms.key] = nil
        let merged = RunResult.merge(parts).kindMetrics
        XCTAssertEqual(Array(merged.keys), ["per_part"])
        XCTAssertEqual(merged["per_part"], .array(parts.map { .object($0.kindMetrics.filter { $0.key != LLMHistograms.key }) }))

        // Other client kinds carry no LLM metrics at all.
        var http = parts
        for i in http.indices { http[i].kindMetrics = ["connections_opened": 4] }
        XCTAssertEqual(RunResult.merge(http).kindMetrics, ["per_part": [["connections_opened": 4], ["connections_opened": 4]]])
    }

    /// A `bench.run/1` openai result as bench wrote it before LLM histograms were serialized.
    private let oldResult = #"""
    {
      "bench_version": "0.1.0",
      "client_bottleneck": {
        "applicable": false,
        "bound_ms": 1,
        "exceeded": false,
        "note": "closed loop: each request is sent when its connection frees, so there is no schedule to fall behind; sender lag is shown for information only",
        "p99_sender_lag_ms": 0.01
      },
      "counts": {
        "bytes_received": 2700,
        "completed": 3,
        "errors": {"closed": 0, "connect": 0, "protocol": 0, "status": 0, "timeout": 0},
        "ok": 3,
        "reconnects": 0,
        "sent": 3,
        "status_codes": {"200": 3},
        "warmup_excluded": 0
      },
      "ended_at": "2025-10-09T08:53:20.299Z",
      "histograms": {
        "response_time": {"counts": [[57023, 1], [78015, 1], [99071, 1]], "highest": 3600000000, "lowest": 1, "max": 99011, "min": 57011, "significant_digits": 3, "total_count": 3, "unit": "us"},
        "sender_lag": {"counts": [[10, 3]], "highest": 3600000000, "lowest": 1, "max": 10, "min": 10, "significant_digits": 3, "total_count": 3, "unit": "us"},
        "service_time": {"counts": [[57023, 1], [78015, 1], [99007, 1]], "highest": 3600000000, "lowest": 1, "max": 99001, "min": 57001, "significant_digits": 3, "total_count": 3, "unit": "us"},
        "time_to_first_byte": {"counts": [[30015, 1], [50015, 1], [70015, 1]], "highest": 3600000000, "lowest": 1, "max": 70000, "min": 30000, "significant_digits": 3, "total_count": 3, "unit": "us"}
      },
      "kind_metrics": {
        "completed": 3,
        "connections_opened": 1,
        "duration": 0.3,
        "failed": 0,
        "good_requests": 3,
        "mean_e2el_ms": 77.98933,
        "mean_itl_ms": 9.33667,
        "mean_tpot_ms": 9.33467,
        "mean_ttft_ms": 49.99733,
        "median_e2el_ms": 78.015,
        "median_itl_ms": 9.007,
        "median_tpot_ms": 9.335,
        "median_ttft_ms": 50.015,
        "output_throughput": 40,
        "output_tokens_from_usage": 3,
        "output_tokens_source": "usage",
        "p90_e2el_ms": 99,
        "p90_itl_ms": 12,
        "p90_tpot_ms": 9.667,
        "p90_ttft_ms": 70,
        "p99_e2el_ms": 99,
        "p99_itl_ms": 12,
        "p99_tpot_ms": 9.667,
        "p99_ttft_ms": 70,
        "request_goodput": 10,
        "request_throughput": 10,
        "slo": {"ttft_ms": 100},
        "std_e2el_ms": 17.13336,
        "std_itl_ms": 1.334,
        "std_tpot_ms": 0.27108,
        "std_ttft_ms": 16.32013,
        "total_content_chunks": 12,
        "total_input_tokens": 36,
        "total_output_tokens": 12,
        "total_token_throughput": 160
      },
      "latency": {
        "response_time": {"count": 3, "max_ms": 99.011, "mean_ms": 78.01067, "p50_ms": 78.015, "p90_ms": 99.011, "p95_ms": 99.011, "p99_9_ms": 99.011, "p99_ms": 99.011},
        "sender_lag": {"count": 3, "max_ms": 0.01, "mean_ms": 0.01, "p50_ms": 0.01, "p90_ms": 0.01, "p95_ms": 0.01, "p99_9_ms": 0.01, "p99_ms": 0.01},
        "service_time": {"count": 3, "max_ms": 99.001, "mean_ms": 77.98933, "p50_ms": 78.015, "p90_ms": 99.001, "p95_ms": 99.001, "p99_9_ms": 99.001, "p99_ms": 99.001},
        "time_to_first_byte": {"count": 3, "max_ms": 70, "mean_ms": 49.99733, "p50_ms": 50.015, "p90_ms": 70, "p95_ms": 70, "p99_9_ms": 70, "p99_ms": 70}
      },
      "measured_duration_s": 0.3,
      "metric_definitions": "bench metric definitions v1 (help metrics)",
      "percentiles": "nearest-rank, HDR 3 significant digits",
      "recipe": {"kind": "openai", "name": "chat-short", "sha256": "5e3a"},
      "run": "r1",
      "schema": "bench.run/1",
      "session": "llm",
      "started_at": "2025-10-09T08:53:20.000Z",
      "status": "completed",
      "target": {"given": "s1", "host": "127.0.0.1", "port": 8080, "port_name": "http"},
      "throughput": {"bytes_per_s": 9000, "ok_per_s": 10, "requests_per_s": 10},
      "time_series": [{"bytes": 2700, "errors": 0, "max_ms": 99.011, "p50_ms": 78.335, "p90_ms": 99.011, "p99_ms": 99.011, "requests": 3, "second": 0, "throughput": 3, "warmup": false}],
      "workload": {"concurrency": 1, "mode": "closed", "requests": 3, "seed": 1, "warmup_s": 0}
    }
    """#

    func testAnOldLLMResultWithoutHistogramsStillDecodes() throws {
        let old = try RunResult.decode(from: Data(oldResult.utf8))
        XCTAssertEqual(old.schema, "bench.run/1")
        XCTAssertEqual(old.recipe.kind, "openai")
        XCTAssertNil(old.kindMetrics[LLMHistograms.key])
        XCTAssertEqual(old.kindMetrics["completed"], 3)
        XCTAssertNotNil(old.kindMetrics["p99_ttft_ms"])
        XCTAssertNil(LLMSnapshot(kindMetrics: old.kindMetrics), "nothing to rebuild the histograms from")
        XCTAssertEqual(try RunResult.decode(from: old.jsonData()), old)
        let merged = RunResult.merge([old, old])
        XCTAssertEqual(merged.kindMetrics, ["per_part": [.object(old.kindMetrics), .object(old.kindMetrics)]])
        XCTAssertEqual(merged.counts.completed, 2 * old.counts.completed)
    }
}
