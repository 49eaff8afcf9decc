import BenchCore
@testable import BenchMonitors
import BenchServers
import Foundation
import XCTest

final class PrometheusRedisTests: MonitorTestCase {
    /// The command rate Prometheus sees through the redis exporter matches the load the test
    /// sent, and the export holds that series in JSON and CSV.
    func testRedisCommandRateMatchesTheLoadAndExports() async throws {
        let redis = try await startRedisWithExporter()
        let rateQuery = NamedQuery(name: "redis_commands_per_s",
                                   promql: "sum by (instance, handle) (rate(redis_commands_processed_total[5s]))")
        let monitor = PrometheusMonitor(
            deployment: PrometheusDeployment(.init(directory: directory + "/m1", readinessTimeout: .seconds(15))),
            queries: [rateQuery, NamedQuery(name: "host_cpu_busy", promql: "1 - avg(rate(node_cpu_seconds_total{mode=\"idle\"}[5s]))")])
        onTearDown { await monitor.stop() }
        try await monitor.start()

        let target = MonitorTarget(name: "s1", host: "127.0.0.1", port: redis.exporterPort,
                                   labels: ["handle": "s1", "recipe": "redis", "session": "test"],
                                   processGroup: redis.redis.processGroup)
        try await monitor.attach(target)
        let maybeClient = await monitor.deployment.client
        let client = try XCTUnwrap(maybeClient)
        try await waitFor("target s1 up", timeout: 10) {
            (try? await client.targets().contains { $0.labels["handle"] == "s1" && $0.health == .up }) == true
        }

        let load = try await RedisConnection.load(port: redis.redisPort, command: "INCR bench:counter", rate: 4000, seconds: 8)
        try await Task.sleep(for: .milliseconds(2500))  // the last scrapes of the load land
        let sentRate = Double(load.count) / load.end.timeIntervalSince(load.start)

        // Skip the first 5 s: a 5 s rate() is only fully inside the load after that.
        let window = TimeWindow(start: load.start.addingTimeInterval(5.5), end: load.end)
        let summary = await monitor.summary(window: window)
        let values = summary.values(for: target)
        let measured = try XCTUnwrap(values["redis_commands_per_s"]?["mean"], "\(summary)")
        print("redis: sent \(load.count) commands at \(Int(sentRate))/s; prometheus measured \(Int(measured))/s")
        XCTAssertEqual(measured, sentRate, accuracy: sentRate * 0.12, "sent \(load.count) at \(sentRate)/s, measured \(measured)/s")
        XCTAssertNotNil(values["host_cpu_busy"])

        // Exports: the recipe's queries plus an extra one.
        let exportWindow = TimeWindow(start: load.start, end: load.end)
        let jsonPath = directory + "/exports/m1.json"
        try await monitor.export(window: exportWindow, extra: [NamedQuery(name: "redis_up", promql: "redis_up")],
                                 format: .json, to: jsonPath)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: jsonPath))) as? [String: Any])
        XCTAssertEqual(json["schema"] as? String, "bench.monitor/1")
        let queries = try XCTUnwrap(json["queries"] as? [String: [String: Any]])
        XCTAssertEqual(Set(queries.keys), ["redis_commands_per_s", "host_cpu_busy", "redis_up"])
        let series = try XCTUnwrap(queries["redis_commands_per_s"]?["series"] as? [[String: Any]])
        XCTAssertEqual((series.first?["labels"] as? [String: String])?["handle"], "s1")
        let points = try XCTUnwrap(series.first?["values"] as? [[Any]])
        XCTAssertGreaterThanOrEqual(points.count, 7)
        XCTAssertNotNil(points.first?[1] as? Double)

        let csvPath = directory + "/exports/m1.csv"
        try await monitor.export(window: exportWindow, format: .csv, to: csvPath)
        let csv = try String(contentsOfFile: csvPath, encoding: .utf8)
        XCTAssertTrue(csv.hasPrefix("name,labels,timestamp,value\n"), csv)
        XCTAssertTrue(csv.contains("redis_commands_per_s,\"{handle=\"\"s1\"\",instance=\"\"127.0.0.1:\(redis.exporterPort)\"\"}\","), csv)

        // A bad query in an export is reported, the others still come.
        let results = await monitor.rangeQueries([NamedQuery(name: "bad", promql: "sum(")], window: exportWindow)
        XCTAssertTrue(results.first?.error?.contains("parse error") == true, "\(results)")
    }
}
