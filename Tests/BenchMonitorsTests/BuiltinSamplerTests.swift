import BenchCore
import BenchPlacement
@testable import BenchMonitors
import BenchServers
import Foundation
import XCTest

final class BuiltinSamplerTests: MonitorTestCase {
    func testSamplesTheRedisExporterAndProcessRSS() async throws {
        let redis = try await startRedisWithExporter()
        let sampler = BuiltinSampler(interval: BenchDuration(seconds: 0.25), queries: BuiltinSampler.defaultQueries + [
            NamedQuery(name: "redis_commands_per_s", promql: "rate(redis_commands_processed_total[1s])"),
        ])
        onTearDown { await sampler.stop() }
        let target = MonitorTarget(name: "s1", host: "127.0.0.1", port: redis.exporterPort,
                                   labels: ["handle": "s1", "recipe": "redis"], processGroup: redis.redis.processGroup)
        try await sampler.attach(target)
        // A second target that is down: shown as down, the sampler goes on.
        try await sampler.attach(MonitorTarget(name: "s2", host: "127.0.0.1", port: try PortAllocator.freePort(),
                                               labels: ["handle": "s2"]))
        let began = Date()
        try await sampler.start()
        let load = try await RedisConnection.load(port: redis.redisPort, command: "PING", rate: 2000, seconds: 2)
        try await Task.sleep(for: .milliseconds(600))
        let window = TimeWindow(start: began, end: Date())

        let summary = await sampler.summary(window: window)
        let values = summary.values(for: target)
        let rss = try XCTUnwrap(values["process_rss_bytes"]?["last"], "\(summary)")
        let actualRSS = Double(ProcessInspector.usage(ofGroup: redis.redis.processGroup).rssBytes)
        XCTAssertGreaterThan(rss, 1_000_000)
        XCTAssertEqual(rss, actualRSS, accuracy: actualRSS * 0.5)
        XCTAssertNotNil(values["process_cpu_cores"])
        let commandRate = try XCTUnwrap(values["redis_commands_per_s"]?["max"], "\(summary)")
        let sentRate = Double(load.count) / load.end.timeIntervalSince(load.start)
        XCTAssertGreaterThan(commandRate, sentRate * 0.7, "sent \(sentRate)/s")
        XCTAssertLessThan(commandRate, sentRate * 1.5, "sent \(sentRate)/s")

        let status = await sampler.targetStatus()
        XCTAssertEqual(status.first { $0.labels["handle"] == "s1" }?.health, .up)
        let down = try XCTUnwrap(status.first { $0.labels["handle"] == "s2" })
        XCTAssertEqual(down.health, .down)
        XCTAssertTrue(down.lastError.contains("refused"), down.lastError)

        let path = directory + "/sampler.json"
        try await sampler.export(window: window, extra: [NamedQuery(name: "up", promql: "up")], format: .json, to: path)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        let queries = try XCTUnwrap(json["queries"] as? [String: [String: Any]])
        let upSeries = try XCTUnwrap(queries["up"]?["series"] as? [[String: Any]])
        XCTAssertEqual(upSeries.count, 2)
        let bad = await sampler.rangeQueries([NamedQuery(name: "x", promql: "sum(up)")], window: window)
        XCTAssertTrue(bad.first?.error?.contains("only a metric name or rate") == true, "\(bad)")
        await sampler.stop()
    }

    func testParsesTheTextFormat() {
        let text = """
        # HELP redis_commands_processed_total commands
        # TYPE redis_commands_processed_total counter
        redis_commands_processed_total 2
        process_resident_memory_bytes 1.0186752e+07
        # TYPE lat histogram
        lat_bucket{le="0.1"} 3
        lat_bucket{le="+Inf"} 4
        lat_sum 0.3
        lat_count 4
        weird{a="x,\\"y\\"}",b="2",} NaN 1712345678000
        broken{a="1" 3
        """
        let samples = MetricsTextParser.parse(text)
        XCTAssertEqual(samples.map(\.name), ["redis_commands_processed_total", "process_resident_memory_bytes",
                                             "lat_sum", "lat_count", "weird"])
        XCTAssertEqual(samples[1].value, 10_186_752)
        XCTAssertEqual(samples[4].labels, ["a": "x,\"y\"}", "b": "2"])
        XCTAssertTrue(samples[4].value.isNaN)
    }

    func testRateHandlesResetsAndSupportedQueries() throws {
        let samples = [MetricSample(time: 0, value: 0), MetricSample(time: 1, value: 10),
                       MetricSample(time: 2, value: 5), MetricSample(time: 3, value: 15)]
        let rates = SamplerQuery.rate(samples, range: 2)
        XCTAssertEqual(rates.map(\.time), [1, 2, 3])
        XCTAssertEqual(rates.map(\.value), [10, 7.5, 7.5])  // (10 + 5) / 2 at t=2: the reset counts 5
        XCTAssertEqual(try SamplerQuery(parsing: "rate(foo_total[5s])"), .rate("foo_total", range: 5))
        XCTAssertEqual(try SamplerQuery(parsing: " up "), .raw("up"))
        XCTAssertThrowsError(try SamplerQuery(parsing: "sum(up)"))
        XCTAssertThrowsError(try SamplerQuery(parsing: "up{job=\"x\"}"))
    }
}
