@testable import BenchCore
import Foundation
import Histogram
import XCTest

final class ResultsSerializationTests: XCTestCase {
    private let ms: UInt64 = 1_000_000
    private let second: UInt64 = 1_000_000_000

    private func histogram(_ values: [UInt64]) -> Histogram<UInt64> {
        var h = LatencyHistograms.cumulative()
        for v in values { h.record(v) }
        return h
    }

    private func roundTrip<T: Codable>(_ value: T) throws -> T {
        try JSONDecoder().decode(T.self, from: JSONEncoder().encode(value))
    }

    func testSerializedHistogramRebuildsTheSamePercentiles() throws {
        var generator = SplitMix(seed: 42)
        let sets: [[UInt64]] = [
            [],
            [0],
            [123_456],
            [0, 0, 5, 99_999, 100_000, 100_005, 100_010],
            (0..<50_000).map { _ in 1 + generator.next() % 5_000_000 },
            (0..<5_000).map { _ in generator.next() % 3 == 0 ? 0 : 2_000 + generator.next() % 200_000 },
        ]
        for values in sets {
            let original = histogram(values)
            let rebuilt = try roundTrip(SerializedHistogram(original)).histogram()
            XCTAssertEqual(rebuilt, original, "\(values.prefix(5))")
            XCTAssertEqual(rebuilt.totalCount, original.totalCount)
            XCTAssertEqual(rebuilt.maxRecorded, original.maxRecorded)
            XCTAssertEqual(rebuilt.min, original.min)
            XCTAssertEqual(rebuilt.mean, original.mean)
            for p in [0.0, 1, 25, 50, 90, 95, 99, 99.9, 99.99, 100] {
                XCTAssertEqual(rebuilt.valueAtPercentile(p), original.valueAtPercentile(p), "p\(p) of \(values.prefix(5))")
            }
            XCTAssertEqual(LatencySummary(histogram: rebuilt), LatencySummary(histogram: original))
        }
        let json = String(decoding: try JSONEncoder().encode(SerializedHistogram(histogram([5, 5, 7]))), as: UTF8.self)
        XCTAssertTrue(json.contains("\"counts\":[[5,2],[7,1]]"), json)
        XCTAssertTrue(json.contains("\"unit\":\"us\""), json)
        XCTAssertTrue(json.contains("\"significant_digits\":3"), json)
    }

    /// The hot path counts in `LatencyRecorder`s; what they turn into must be the histogram direct recording gives.
    func testRecorderBecomesTheSameHistogramAsRecordingDirectly() {
        var generator = SplitMix(seed: 11)
        for digits in [SignificantDigits.two, .three] {
            let sets: [[UInt64]] = [
                [],
                [0, 0],
                [7],
                [4_100, 4_101, 4_102, 4_103],
                [0, 1, 2_047, 2_048, 2_049, 4_095, 4_096, 1 << 20, (1 << 20) + 1, LatencyHistograms.highest, .max],
                (0..<20_000).map { _ in generator.next() % 10_000_000 },
                (0..<20_000).map { _ in generator.next() >> UInt64(generator.next() % 64) },
            ]
            for values in sets {
                var recorder = LatencyRecorder(significantDigits: digits)
                var direct = Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: LatencyHistograms.highest,
                                               numberOfSignificantValueDigits: digits)
                for v in values {
                    recorder.record(v)
                    direct.record(min(v, LatencyHistograms.highest))
                }
                let rebuilt = recorder.histogram()
                XCTAssertEqual(rebuilt, direct, "\(digits) \(values.prefix(4))")
                XCTAssertEqual(rebuilt.maxRecorded, direct.maxRecorded)
                XCTAssertEqual(rebuilt.min, direct.min)
                XCTAssertEqual(rebuilt.mean, direct.mean)
                for p in [0.0, 10, 50, 90, 99, 99.9, 99.999, 100] {
                    XCTAssertEqual(rebuilt.valueAtPercentile(p), direct.valueAtPercentile(p), "\(digits) p\(p)")
                }
            }
        }
    }

    func testBadSerializedHistogramsAreRejectedNotTrapped() {
        let bad = [
            #"{"unit":"us","lowest":1,"highest":100,"significant_digits":9,"total_count":0,"counts":[]}"#,
            #"{"unit":"us","lowest":0,"highest":100,"significant_digits":3,"total_count":0,"counts":[]}"#,
            #"{"unit":"ms","lowest":1,"highest":100,"significant_digits":3,"total_count":0,"counts":[]}"#,
            #"{"unit":"us","lowest":1,"highest":100,"significant_digits":3,"total_count":1,"counts":[[1]]}"#,
        ]
        for text in bad {
            XCTAssertThrowsError(try JSONDecoder().decode(SerializedHistogram.self, from: Data(text.utf8)), text)
        }
    }

    /// Two nodes each run part of the load; their result files merge into what one aggregator would have measured.
    func testSerializedPartsMergeIntoWhatOneAggregatorRecords() throws {
        let all = RunAggregator(warmupEnd: 1 * second)
        let nodes = [RunAggregator(warmupEnd: 1 * second), RunAggregator(warmupEnd: 1 * second)]
        let collectors = [RunCollector(), RunCollector()]
        var generator = SplitMix(seed: 3)
        for i in 0..<30_000 {
            let scheduled = UInt64(i) * 200_000   // 6 s
            let sent = scheduled + generator.next() % 50_000
            let latency = 200_000 + generator.next() % (300 * ms)
            let error: RequestErrorKind? = i % 97 == 0 ? .timeout : nil
            let r = RequestResult(scheduled: scheduled, sent: sent, firstByte: sent + latency / 3, completed: sent + latency,
                                  bytesReceived: 100, status: error == nil ? 200 : 0, error: error)
            all.record(r)
            nodes[i % 2].record(r)
        }
        let workload = RunResult.Workload(mode: "open", concurrency: 64, rate: 2_500, arrival: "constant",
                                          duration: 5, warmup: 1, seed: 9, connectionsCap: 64)
        var parts: [RunResult] = []
        for (node, collector) in zip(nodes, collectors) {
            collector.add(node.takeSeconds(upTo: .max))
            collector.add(node.snapshot())
            let part = collector.finish(run: "r1", session: "s", recipe: .init(name: "nginx", kind: "http", sha256: "ab"),
                                        target: .init(given: "s1", host: "127.0.0.1", port: 8080, portName: "main"),
                                        workload: workload, startedAt: Date(timeIntervalSince1970: 1_700_000_000),
                                        endedAt: Date(timeIntervalSince1970: 1_700_000_006), runEnd: 6 * second)
            parts.append(try RunResult.decode(from: part.jsonData()))
        }
        let merged = RunResult.merge(parts)
        let whole = all.snapshot()

        XCTAssertEqual(merged.histograms.responseTime.histogram(), whole.responseTime)
        XCTAssertEqual(merged.histograms.serviceTime.histogram(), whole.serviceTime)
        XCTAssertEqual(merged.histograms.senderLag.histogram(), whole.senderLag)
        XCTAssertEqual(merged.histograms.timeToFirstByte?.histogram(), whole.timeToFirstByte)
        XCTAssertEqual(merged.latency.responseTime, LatencySummary(histogram: whole.responseTime))
        XCTAssertEqual(merged.latency.serviceTime, LatencySummary(histogram: whole.serviceTime))
        XCTAssertEqual(merged.latency.senderLag, LatencySummary(histogram: whole.senderLag))
        XCTAssertEqual(merged.counts.sent, whole.sent)
        XCTAssertEqual(merged.counts.completed, whole.completed)
        XCTAssertEqual(merged.counts.ok, whole.ok)
        XCTAssertEqual(merged.counts.errors["timeout"], whole.errors[.timeout])
        XCTAssertEqual(merged.counts.warmupExcluded, whole.warmupRequests)
        XCTAssertEqual(merged.counts.bytesReceived, whole.bytesReceived)
        XCTAssertEqual(merged.counts.statusCodes, whole.statusCounts)
        // Each node ran half the load: their throughputs add up to the whole.
        XCTAssertEqual(merged.throughput.requestsPerSecond, parts[0].throughput.requestsPerSecond + parts[1].throughput.requestsPerSecond,
                       accuracy: 1e-9)
        XCTAssertEqual(merged.throughput.requestsPerSecond, Double(whole.completed) / merged.measuredDuration,
                       accuracy: merged.throughput.requestsPerSecond * 0.01)
        XCTAssertEqual(merged.workload.rate, 5_000)
        XCTAssertEqual(merged.timeSeries.filter { !$0.warmup }.reduce(0) { $0 + $1.requests }, whole.completed)
    }

    private func sampleResult() -> RunResult {
        let aggregator = RunAggregator(warmupEnd: 0)
        for i in 0..<1000 {
            let at = UInt64(i) * 5 * ms
            aggregator.record(RequestResult(scheduled: at, sent: at + 10_000, firstByte: at + 2 * ms, completed: at + 3 * ms,
                                            bytesReceived: 64, status: 200))
        }
        aggregator.record(RequestResult(scheduled: 0, sent: 0, completed: 4 * second, error: .connect))
        let collector = RunCollector()
        collector.add(aggregator.takeSeconds(upTo: .max))
        collector.add(aggregator.snapshot())
        return collector.finish(run: "r2", session: "exp1", recipe: .init(name: "redis-get-set", kind: "redis", sha256: "00ff"),
                                target: .init(given: "s1", host: "127.0.0.1", port: 6379, portName: "main"),
                                workload: RunResult.Workload(mode: "closed", concurrency: 50, duration: 5, warmup: 0, seed: 1),
                                startedAt: Date(timeIntervalSince1970: 1_700_000_000.25),
                                endedAt: Date(timeIntervalSince1970: 1_700_000_005.5), runEnd: 5 * second,
                                status: .interrupted, statusReason: "stopped by Ctrl-C", reconnects: 2,
                                kindMetrics: ["pipeline": 1, "mix": "get"], monitor: ["cpu_percent": 12.5])
    }

    func testRunResultJSONRoundTripsWithItsSchema() throws {
        let result = sampleResult()
        let data = try result.jsonData()
        let text = String(decoding: data, as: UTF8.self)
        XCTAssertTrue(text.contains("\"schema\" : \"bench.run/1\""), text)
        for key in ["\"run\" : \"r2\"", "\"bench_version\"", "\"started_at\" : \"2023-11-14T22:13:20.250Z\"", "\"status\" : \"interrupted\"",
                    "\"measured_duration_s\" : 5", "\"warmup_excluded\"", "\"requests_per_s\" : 200", "\"service_time\"",
                    "\"response_time\"", "\"sender_lag\"", "\"time_to_first_byte\"", "\"p99_9_ms\"", "\"client_bottleneck\"",
                    "\"time_series\"", "\"significant_digits\" : 3", "\"metric_definitions\" : \"bench metric definitions v1",
                    "\"kind_metrics\"", "\"port_name\" : \"main\"", "\"duration_s\" : 5", "\"connect\" : 1", "\"timeout\" : 0",
                    "\"percentiles\" : \"nearest-rank, HDR 3 significant digits\""] {
            XCTAssertTrue(text.contains(key), "missing \(key)")
        }
        XCTAssertFalse(text.contains("\u{1B}"))
        let decoded = try RunResult.decode(from: data)
        XCTAssertEqual(decoded, result)
        XCTAssertEqual(try decoded.jsonData(), data, "encoding is stable (sorted keys)")
        XCTAssertEqual(decoded.counts.completed, 1000)
        XCTAssertEqual(decoded.counts.sent, 1000)
        XCTAssertEqual(decoded.counts.reconnects, 2)
        XCTAssertEqual(decoded.latency.serviceTime.p50, 2.99, accuracy: 0.01)
        XCTAssertEqual(decoded.kindMetrics["mix"], "get")

        let other = text.replacingOccurrences(of: "bench.run/1", with: "bench.run/2")
        XCTAssertThrowsError(try RunResult.decode(from: Data(other.utf8)))
    }

    func testClientBottleneckVerdict() {
        func lag(_ values: [UInt64]) -> LatencySummary {
            var h = LatencyHistograms.cumulative()
            for v in values { h.record(v) }
            return LatencySummary(histogram: h)
        }
        let open = RunResult.Workload(mode: "open", concurrency: 10, rate: 20_000, arrival: "constant")
        let fine = RunResult.ClientBottleneck(workload: open, senderLag: lag(Array(repeating: 20, count: 1000)))
        XCTAssertFalse(fine.exceeded)
        XCTAssertEqual(fine.boundMs, 1)
        XCTAssertTrue(fine.applicable)

        let late = RunResult.ClientBottleneck(workload: open, senderLag: lag(Array(repeating: 20, count: 980) + Array(repeating: 5_000, count: 20)))
        XCTAssertTrue(late.exceeded)
        XCTAssertEqual(late.p99SenderLagMs, 5, accuracy: 0.01)
        XCTAssertTrue(late.note.contains("client, not the server"), late.note)

        // At 1 req/s the gap is 1 s: the bound is 1% of it, 10 ms.
        let slow = RunResult.Workload(mode: "open", concurrency: 10, rate: 1, arrival: "poisson")
        let slowVerdict = RunResult.ClientBottleneck(workload: slow, senderLag: lag(Array(repeating: 5_000, count: 100)))
        XCTAssertEqual(slowVerdict.boundMs, 10, accuracy: 1e-9)
        XCTAssertFalse(slowVerdict.exceeded)

        let closed = RunResult.Workload(mode: "closed", concurrency: 10)
        let closedVerdict = RunResult.ClientBottleneck(workload: closed, senderLag: lag(Array(repeating: 5_000, count: 100)))
        XCTAssertFalse(closedVerdict.exceeded)
        XCTAssertFalse(closedVerdict.applicable)
        XCTAssertTrue(closedVerdict.note.hasPrefix("closed loop"))

        // Through the collector: an open-loop run whose sends ran late.
        let aggregator = RunAggregator(warmupEnd: 0, expectedInterval: 1 * ms)
        for i in 0..<1000 {
            let at = UInt64(i) * ms
            aggregator.record(RequestResult(scheduled: at, sent: at + 20 * ms, completed: at + 21 * ms, status: 200))
        }
        let collector = RunCollector()
        collector.add(aggregator.snapshot())
        let result = collector.finish(run: "r3", session: "s", recipe: .init(name: "n", kind: "http", sha256: ""),
                                      target: .init(given: "http://x:1/", host: "x", port: 1),
                                      workload: .init(mode: "open", concurrency: 4, rate: 1000, arrival: "constant", duration: 1),
                                      startedAt: Date(), endedAt: Date())
        XCTAssertTrue(result.clientBottleneck.exceeded)
        XCTAssertEqual(result.latency.responseTime.p50, 21, accuracy: 0.05)
        XCTAssertEqual(result.latency.serviceTime.p50, 1, accuracy: 0.01)
    }

    func testTimesReadBackPrintAsWritten() throws {
        var result = sampleResult()
        result.startedAt = Date(timeIntervalSince1970: 1_764_481_372.408)
        let text = String(decoding: try result.jsonData(), as: UTF8.self)
        XCTAssertTrue(text.contains("\"started_at\" : \"2025-11-30T05:42:52.408Z\""), text)
        let decoded = try RunResult.decode(from: try result.jsonData())
        XCTAssertTrue(RunSummaryRenderer.lines(decoded)[1].contains("started 2025-11-30T05:42:52.408Z"), RunSummaryRenderer.lines(decoded)[1])
        XCTAssertEqual(try decoded.jsonData(), try result.jsonData())
    }

    func testPartialSecondsCarryTheirDurationAndStayOutOfTheRateRange() throws {
        // Warm-up to 0.5 s, sending to 3 s, and a last answer 12 ms into the fourth second (the drain).
        let aggregator = RunAggregator(warmupEnd: 500 * ms)
        for i in 0..<300 {
            let at = UInt64(i) * 10 * ms
            aggregator.record(RequestResult(scheduled: at, sent: at, completed: at + ms, status: 200))
        }
        aggregator.record(RequestResult(scheduled: 2_999 * ms, sent: 2_999 * ms, completed: 3_012 * ms, status: 200))
        let collector = RunCollector()
        collector.add(aggregator.takeSeconds(upTo: .max))
        collector.add(aggregator.snapshot())
        let result = collector.finish(run: "r4", session: "s", recipe: .init(name: "n", kind: "http", sha256: ""),
                                      target: .init(given: "http://x:1/", host: "x", port: 1),
                                      workload: .init(mode: "closed", concurrency: 1, duration: 2.5, warmup: 0.5),
                                      startedAt: Date(), endedAt: Date(), runEnd: 3 * second)
        let measured = result.timeSeries.filter { !$0.warmup }
        XCTAssertEqual(measured.map(\.second), [0, 1, 2, 3])
        XCTAssertEqual(measured.map(\.duration), [0.5, 1, 1, 0.012])
        XCTAssertEqual(measured[0].throughput, 100, accuracy: 1e-9, "50 answers in the half second measured")
        XCTAssertEqual(measured[3].requests, 1)
        XCTAssertEqual(result.timeSeries.first { $0.warmup }?.duration, 0.5)

        let text = RunSummaryRenderer.lines(result).joined(separator: "\n")
        XCTAssertTrue(text.contains("per second  2 s + 2 partial: req/s min 100.0 max 100.0, worst p99 13.00 ms"), text)

        // Points written before the duration was recorded read as whole seconds.
        let old = try JSONDecoder().decode(TimeSeriesPoint.self, from: Data("""
            {"bytes": 0, "errors": 0, "max_ms": 1, "p50_ms": 1, "p90_ms": 1, "p99_ms": 1, "requests": 3, "second": 0, "throughput": 3, "warmup": false}
            """.utf8))
        XCTAssertEqual(old.duration, 1)
        XCTAssertTrue(try result.jsonData().contains(Data("\"duration_s\" : 0.012".utf8)))
    }

    func testAggregateSnapshotCodableRoundTripIsExact() throws {
        let aggregator = RunAggregator(warmupEnd: 5, expectedInterval: 1000)
        for i in 0..<500 {
            aggregator.record(RequestResult(scheduled: UInt64(i) * ms, sent: UInt64(i) * ms, completed: UInt64(i) * ms + UInt64(i) * 10_000,
                                            bytesReceived: 3, status: 200 + i % 3, error: i % 50 == 0 ? .closed : nil))
        }
        aggregator.recordTokens(input: 5, output: 7)
        let s = aggregator.snapshot()
        let decoded = try roundTrip(s)
        XCTAssertEqual(decoded.responseTime, s.responseTime)
        XCTAssertEqual(decoded.errors, s.errors)
        XCTAssertEqual(decoded.statusCounts, s.statusCounts)
        XCTAssertEqual(decoded.lastCompleted, s.lastCompleted)
        XCTAssertEqual(decoded.expectedInterval, 1000)
        XCTAssertEqual(decoded.outputTokens, 7)
        let json = String(decoding: try JSONEncoder().encode(s), as: UTF8.self)
        XCTAssertTrue(json.contains("\"closed\":9"), "the first one was warm-up")
    }

    func testJSONValueRoundTrips() throws {
        let value: JSONValue = ["a": 1, "b": [true, nil, "x", 2.5], "c": ["d": "e"]]
        XCTAssertEqual(try roundTrip(value), value)
        XCTAssertEqual(JSONValue.number(42).text, "42")
        XCTAssertEqual(JSONValue.number(0.5).text, "0.5")
    }

    func testSummaryAndProgressLines() {
        let lines = RunSummaryRenderer.lines(sampleResult())
        let text = lines.joined(separator: "\n")
        XCTAssertTrue(lines[0].hasPrefix("r2  redis-get-set [redis] -> s1 127.0.0.1:6379 (main)  interrupted (stopped by Ctrl-C)"), lines[0])
        XCTAssertTrue(text.contains("percentiles: nearest-rank, HDR 3 significant digits"), text)
        XCTAssertTrue(text.contains("response time"), text)
        XCTAssertTrue(text.contains("service time"), text)
        XCTAssertTrue(text.contains("errors 1 (connect 1)"), text)
        XCTAssertTrue(text.contains("200.0 req/s") || text.contains("200 req/s"), text)
        XCTAssertTrue(text.contains("closed loop"), text)
        XCTAssertTrue(text.contains("pipeline"), text)
        XCTAssertFalse(text.contains("\u{1B}"), "no ANSI")

        var snapshot = AggregateSnapshot(warmupEnd: 2 * second)
        snapshot.warmupRequests = 40
        XCTAssertEqual(RunSummaryRenderer.progressLine(snapshot: snapshot, elapsed: 1, total: 12),
                       "1.0s/12.0s  warm-up  40 requests (not measured)")
        snapshot.completed = 10_000
        snapshot.errors[.timeout] = 3
        for v: UInt64 in [1_000, 2_000, 40_000] { snapshot.responseTime.record(v) }
        XCTAssertEqual(RunSummaryRenderer.progressLine(snapshot: snapshot, elapsed: 7, total: 12),
                       "7.0s/12.0s  2,000 req/s  p50 2.00 ms  p99 40.00 ms  errors 3")
        // Right at the end of the warm-up there is no measured window to divide by yet.
        snapshot.completed = 16
        snapshot.warmupRequests = 2_000
        XCTAssertEqual(RunSummaryRenderer.progressLine(snapshot: snapshot, elapsed: 2.0015, total: 12),
                       "2.0s/12.0s  warm-up  2,000 requests (not measured)")
    }
}
