@testable import BenchCore
import Foundation
import Histogram
import XCTest

final class ResultsAggregatorTests: XCTestCase {
    private let ms: UInt64 = 1_000_000
    private let second: UInt64 = 1_000_000_000

    /// A successful request sent on schedule at `at` ns that took `latency` ns.
    private func ok(at: UInt64, latency: UInt64, bytes: Int = 100) -> RequestResult {
        RequestResult(scheduled: at, sent: at, firstByte: at + latency / 2, completed: at + latency, bytesReceived: bytes, status: 200)
    }

    func testKnownLatenciesGiveKnownPercentiles() {
        let aggregator = RunAggregator(warmupEnd: 0)
        // 1 µs … 1000 µs: below 2048 µs the histogram is exact to the microsecond.
        for i in 1...1000 {
            aggregator.record(ok(at: UInt64(i) * ms, latency: UInt64(i) * 1000))
        }
        let summary = LatencySummary(histogram: aggregator.snapshot().serviceTime)
        XCTAssertEqual(summary.count, 1000)
        XCTAssertEqual(summary.p50, 0.5)
        XCTAssertEqual(summary.p90, 0.9)
        XCTAssertEqual(summary.p95, 0.95)
        XCTAssertEqual(summary.p99, 0.99)
        XCTAssertEqual(summary.p999, 0.999)
        XCTAssertEqual(summary.max, 1.0)
        XCTAssertEqual(summary.mean, 0.5005, accuracy: 1e-9)

        // Larger values: nearest rank within the histogram's 3 significant digits.
        let wide = RunAggregator(warmupEnd: 0)
        for i in 1...100 {
            wide.record(ok(at: UInt64(i) * second, latency: UInt64(i) * 10 * ms))   // 10 ms … 1000 ms
        }
        let w = LatencySummary(histogram: wide.snapshot().responseTime)
        XCTAssertEqual(w.p50, 500, accuracy: 0.5)
        XCTAssertEqual(w.p90, 900, accuracy: 0.9)
        XCTAssertEqual(w.p99, 990, accuracy: 1)
        XCTAssertEqual(w.max, 1000)
        XCTAssertEqual(w.mean, 505, accuracy: 0.6)
    }

    func testNearestRankOnASmallSet() {
        let aggregator = RunAggregator(warmupEnd: 0)
        for latency: UInt64 in [1, 2, 3, 4, 100] {   // ms
            aggregator.record(ok(at: 0, latency: latency * ms))
        }
        let s = LatencySummary(histogram: aggregator.snapshot().serviceTime)
        // Nearest rank: p50 is the 3rd of 5, p90 and p99 the 5th.
        XCTAssertEqual(s.p50, 3, accuracy: 0.003)
        XCTAssertEqual(s.p90, 100, accuracy: 0.1)
        XCTAssertEqual(s.p99, 100, accuracy: 0.1)
    }

    func testWarmupResultsAreExcludedFromEveryStatistic() {
        let aggregator = RunAggregator(warmupEnd: 2 * second)
        // Warm-up: slow and failing. Scheduled before 2 s, even when completing after it.
        for i in 0..<100 {
            let at = UInt64(i) * 10 * ms
            aggregator.record(RequestResult(scheduled: at, sent: at, completed: at + 500 * ms, bytesReceived: 7, status: 500, error: .status))
            aggregator.recordTokens(input: 1000, output: 1000)
        }
        aggregator.record(RequestResult(scheduled: 1_999 * ms, sent: 2_100 * ms, completed: 2_200 * ms, error: .timeout))
        // Measured: fast and fine.
        for i in 0..<50 {
            aggregator.record(ok(at: 2 * second + UInt64(i) * 10 * ms, latency: 1 * ms, bytes: 10))
            aggregator.recordTokens(input: 3, output: 5)
        }
        let s = aggregator.snapshot()
        XCTAssertEqual(s.warmupRequests, 101)
        XCTAssertEqual(s.sent, 50)
        XCTAssertEqual(s.completed, 50)
        XCTAssertEqual(s.ok, 50)
        XCTAssertEqual(s.errorCount, 0)
        XCTAssertEqual(s.bytesReceived, 500)
        XCTAssertEqual(s.statusCounts, [200: 50])
        XCTAssertEqual(s.inputTokens, 150)
        XCTAssertEqual(s.outputTokens, 250)
        XCTAssertEqual(s.serviceTime.totalCount, 50)
        XCTAssertEqual(s.responseTime.maxRecorded, 1000)
        XCTAssertEqual(s.senderLag.maxRecorded, 0)
        XCTAssertEqual(s.firstCompleted, 2 * second + ms)

        // The time axis keeps the warm-up, marked; the measured slices sum to the totals.
        let slices = aggregator.takeSeconds(upTo: .max)
        XCTAssertEqual(slices.filter(\.warmup).map(\.second), [0, 1, 2])
        XCTAssertEqual(slices.filter(\.warmup).reduce(0) { $0 + $1.completed + $1.errors }, 101 + 100)
        XCTAssertEqual(slices.filter { !$0.warmup }.reduce(0) { $0 + $1.completed }, 50)
    }

    func testErrorsAreCountedByKindAndKeptOutOfLatency() {
        let aggregator = RunAggregator(warmupEnd: 0)
        aggregator.record(RequestResult(scheduled: 0, sent: 0, completed: 5 * ms, error: .connect))
        aggregator.record(RequestResult(scheduled: 0, sent: 0, completed: 30 * second, error: .timeout))
        aggregator.record(RequestResult(scheduled: 0, sent: 0, firstByte: ms, completed: 2 * ms, bytesReceived: 9, status: 503, error: .status))
        aggregator.record(RequestResult(scheduled: 0, sent: 0, completed: 3 * ms, error: .protocol))
        aggregator.record(RequestResult(scheduled: 0, sent: 0, completed: 4 * ms, error: .closed))
        aggregator.record(RequestResult(scheduled: 0, sent: 10 * ms, completed: 10 * ms, error: .unsent))
        aggregator.record(ok(at: 0, latency: 2 * ms))
        let s = aggregator.snapshot()
        XCTAssertEqual(s.errors, [.connect: 1, .timeout: 1, .status: 1, .protocol: 1, .closed: 1, .unsent: 1])
        XCTAssertEqual(s.errorCount, 6)
        XCTAssertEqual(s.sent, 5, "a connect failure and an unsent request were never sent")
        XCTAssertEqual(s.completed, 2, "answers: the success and the unexpected status")
        XCTAssertEqual(s.ok, 1)
        XCTAssertEqual(s.statusCounts, [503: 1, 200: 1])
        XCTAssertEqual(s.serviceTime.totalCount, 2)
        XCTAssertEqual(s.serviceTime.maxRecorded, 2000, "the 30 s timeout is not a latency")
        XCTAssertEqual(s.timeToFirstByte.totalCount, 2)
    }

    /// wrk2's scenario: sends scheduled every 10 ms on one connection, the server stalls 1 s once. The service time
    /// hides the stall (one slow request in 1,000); the response time, from the schedule, shows it.
    func testCoordinatedOmissionIsCorrectedByResponseTime() {
        let interval = 10 * ms
        let aggregator = RunAggregator(warmupEnd: 0, expectedInterval: interval)
        var connectionFree: UInt64 = 0
        for i in 0..<1000 {
            let scheduled = UInt64(i) * interval
            let sent = max(scheduled, connectionFree)
            let service = scheduled == 5 * second ? 1 * second : 1 * ms
            let completed = sent + service
            connectionFree = completed
            aggregator.record(RequestResult(scheduled: scheduled, sent: sent, firstByte: completed, completed: completed, status: 200))
        }
        let s = aggregator.snapshot()
        let response = LatencySummary(histogram: s.responseTime)
        let service = LatencySummary(histogram: s.serviceTime)
        XCTAssertEqual(service.p99, 1, accuracy: 0.01, "service time hides the stall")
        XCTAssertEqual(service.max, 1000, accuracy: 1)
        XCTAssertGreaterThan(response.p99, 850, "response time shows the stall")
        XCTAssertLessThanOrEqual(response.p99, 1001)
        XCTAssertEqual(response.max, 1000, accuracy: 1)
        XCTAssertGreaterThan(response.p90, service.p90)

        let workload = RunResult.Workload(mode: "open", concurrency: 1, rate: 100, arrival: "constant", duration: 10)
        let verdict = RunResult.ClientBottleneck(workload: workload, senderLag: LatencySummary(histogram: s.senderLag))
        XCTAssertTrue(verdict.exceeded, "the blocked client fell behind its schedule")
    }

    func testTakeSecondsRemovesSlicesAndTheSeriesSumsToTheTotals() {
        let aggregator = RunAggregator(warmupEnd: 0)
        let collector = RunCollector()
        var expectedBytes = 0
        for i in 0..<10_000 {
            let at = UInt64(i) * 1 * ms   // 10 s at 1,000 req/s
            let failed = i % 100 == 0
            let result = failed
                ? RequestResult(scheduled: at, sent: at, completed: at + 2 * ms, error: .timeout)
                : ok(at: at, latency: UInt64(1 + i % 7) * ms, bytes: 50)
            if !failed { expectedBytes += 50 }
            aggregator.record(result)
            if i % 1000 == 999 {
                // Once a second, as the client manager does: take what is complete.
                let now = Int((at + 1 * ms) / second)
                let held = aggregator.pendingSliceCount
                let taken = aggregator.takeSeconds(upTo: now)
                XCTAssertEqual(aggregator.pendingSliceCount, held - taken.count)
                XCTAssertLessThanOrEqual(aggregator.pendingSliceCount, 2, "memory stays flat")
                collector.add(taken)
            }
        }
        collector.add(aggregator.takeSeconds(upTo: .max))
        XCTAssertEqual(aggregator.pendingSliceCount, 0)
        XCTAssertTrue(aggregator.takeSeconds(upTo: .max).isEmpty, "taken slices are gone")
        let s = aggregator.snapshot()
        collector.add(s)
        let series = collector.timeSeries
        XCTAssertEqual(series.map(\.second), Array(0...10))
        XCTAssertEqual(series.reduce(0) { $0 + $1.requests }, s.completed)
        XCTAssertEqual(series.reduce(0) { $0 + $1.errors }, s.errorCount)
        XCTAssertEqual(series.reduce(0) { $0 + $1.bytes }, s.bytesReceived)
        XCTAssertEqual(s.bytesReceived, expectedBytes)
        XCTAssertEqual(series[3].throughput, 990)
        XCTAssertEqual(series[3].max, 7, accuracy: 0.1)
    }

    func testCollectorMergesSlicesOfSeveralAggregatorsAndSettlesOldSeconds() {
        let loops = (0..<4).map { _ in RunAggregator(warmupEnd: 0) }
        let collector = RunCollector()
        for s in 0..<40 {
            for (n, loop) in loops.enumerated() {
                loop.record(ok(at: UInt64(s) * second + UInt64(n) * ms, latency: UInt64(n + 1) * ms))
            }
            for loop in loops { collector.add(loop.takeSeconds(upTo: s)) }
            XCTAssertLessThanOrEqual(collector.pendingSliceCount, RunCollector.settleSeconds + 1)
        }
        for loop in loops {
            collector.add(loop.takeSeconds(upTo: .max))
            collector.add(loop.snapshot())
        }
        let series = collector.timeSeries
        XCTAssertEqual(series.count, 40)
        XCTAssertTrue(series.allSatisfy { $0.requests == 4 })
        XCTAssertEqual(series[0].max, 4, accuracy: 0.05)
        XCTAssertEqual(collector.snapshot?.completed, 160)

        // A late slice for a settled second still counts.
        var late = SecondSlice(second: 0, warmup: false)
        late.completed = 3
        collector.add([late])
        XCTAssertEqual(collector.timeSeries[0].requests, 7)
    }

    func testAStalledSecondShowsAsIdle() {
        let aggregator = RunAggregator(warmupEnd: 0)
        aggregator.record(ok(at: 0, latency: ms))
        aggregator.record(ok(at: 4 * second, latency: ms))
        let collector = RunCollector()
        collector.add(aggregator.takeSeconds(upTo: .max))
        XCTAssertEqual(collector.timeSeries.map(\.requests), [1, 0, 0, 0, 1])
    }

    func testLateAndOutOfOrderResultsLandInTheirSecond() {
        let aggregator = RunAggregator(warmupEnd: 0)
        aggregator.record(ok(at: 5 * second, latency: ms))
        aggregator.record(ok(at: 3 * second, latency: ms))        // out of order, before the first
        XCTAssertEqual(aggregator.takeSeconds(upTo: 6).map(\.second), [3, 5])
        aggregator.record(ok(at: 2 * second, latency: ms))        // after its second was taken
        aggregator.record(ok(at: 1_000_000 * second, latency: ms)) // implausibly far ahead
        let rest = aggregator.takeSeconds(upTo: .max)
        XCTAssertEqual(rest.map(\.second), [2, 1_000_000])
        XCTAssertEqual(aggregator.snapshot().completed, 4)
    }

    func testSnapshotsMergeExactly() {
        let all = RunAggregator(warmupEnd: 0)
        let a = RunAggregator(warmupEnd: 0)
        let b = RunAggregator(warmupEnd: 0)
        var generator = SplitMix(seed: 7)
        for i in 0..<20_000 {
            let latency = 100_000 + generator.next() % (2 * second)
            let r = RequestResult(scheduled: UInt64(i) * ms, sent: UInt64(i) * ms + generator.next() % ms,
                                  completed: UInt64(i) * ms + latency, bytesReceived: 10, status: i % 10 == 0 ? 404 : 200)
            all.record(r)
            (i % 3 == 0 ? a : b).record(r)
        }
        var merged = a.snapshot()
        merged.merge(b.snapshot())
        let whole = all.snapshot()
        XCTAssertEqual(merged.serviceTime, whole.serviceTime)
        XCTAssertEqual(merged.responseTime, whole.responseTime)
        XCTAssertEqual(merged.senderLag, whole.senderLag)
        XCTAssertEqual(merged.statusCounts, whole.statusCounts)
        XCTAssertEqual(merged.completed, whole.completed)
        XCTAssertEqual(merged.firstCompleted, whole.firstCompleted)
        XCTAssertEqual(merged.lastCompleted, whole.lastCompleted)
        XCTAssertEqual(LatencySummary(histogram: merged.responseTime), LatencySummary(histogram: whole.responseTime))
    }

    func testRecordingAMillionResultsIsFast() {
        let aggregator = RunAggregator(warmupEnd: 0, expectedInterval: 50_000)
        let results: [RequestResult] = (0..<1024).map { (i: Int) -> RequestResult in
            let base = UInt64(i) * 977
            let service = 80_000 + UInt64(i % 17) * 9_000
            return RequestResult(scheduled: base, sent: base + 3_000, firstByte: base + 60_000, completed: base + service,
                                 bytesReceived: 612, status: 200)
        }
        let count = 1_000_000
        let start = DispatchTime.now().uptimeNanoseconds
        for i in 0..<count {
            var r = results[i & 1023]
            let offset = UInt64(i) &* 20_000   // 50k req/s: 20 s of results
            r.scheduled &+= offset
            r.sent &+= offset
            r.firstByte &+= offset
            r.completed &+= offset
            aggregator.record(r)
        }
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        XCTAssertEqual(aggregator.snapshot().completed, count)
        print("RunAggregator.record: \(Int(elapsed * 1e9 / Double(count))) ns/record (this build)")
        XCTAssertLessThan(elapsed, 3, "1,000,000 records took \(elapsed) s")
    }
}

/// A tiny deterministic generator for test data.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
