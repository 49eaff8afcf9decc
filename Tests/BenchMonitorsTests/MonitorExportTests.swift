import BenchCore
@testable import BenchMonitors
import Foundation
import XCTest

final class MonitorExportTests: XCTestCase {
    private let window = TimeWindow(start: Date(timeIntervalSince1970: 100), end: Date(timeIntervalSince1970: 103))
    private var results: [NamedQueryResult] {
        [NamedQueryResult(name: "rss", promql: "process_resident_memory_bytes", series: [
            MetricSeries(labels: ["handle": "s1", "instance": "127.0.0.1:1"], values: [
                MetricSample(time: 101, value: 10), MetricSample(time: 102, value: 30), MetricSample(time: 103, value: .nan),
            ]),
            MetricSeries(labels: ["handle": "s2"], values: [MetricSample(time: 101, value: 1)]),
        ]), NamedQueryResult(name: "busy", promql: "x", series: [MetricSeries(labels: [:], values: [MetricSample(time: 101, value: 0.5)])]),
         NamedQueryResult(name: "bad", promql: "sum(", series: [], error: "parse error")]
    }

    func testJSONAndCSV() throws {
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: MonitorExport.render(results, window: window, format: .json)) as? [String: Any])
        XCTAssertEqual(json["schema"] as? String, "bench.monitor/1")
        XCTAssertEqual((json["window"] as? [String: Any])?["start_unix"] as? Double, 100)
        let rss = try XCTUnwrap((json["queries"] as? [String: [String: Any]])?["rss"])
        let values = try XCTUnwrap((rss["series"] as? [[String: Any]])?.first?["values"] as? [[Any]])
        XCTAssertEqual(values[1][1] as? Double, 30)
        XCTAssertEqual(values[2][1] as? String, "NaN")
        XCTAssertEqual((json["queries"] as? [String: [String: Any]])?["bad"]?["error"] as? String, "parse error")

        let csv = String(decoding: try MonitorExport.render(results, window: window, format: .csv), as: UTF8.self)
        let lines = csv.split(separator: "\n")
        XCTAssertEqual(lines.first, "name,labels,timestamp,value")
        XCTAssertEqual(lines[1], "rss,\"{handle=\"\"s1\"\",instance=\"\"127.0.0.1:1\"\"}\",101.000,10")
        XCTAssertTrue(lines.contains("busy,{},101.000,0.5"), csv)
        XCTAssertEqual(lines.count, 1 + 3 + 1 + 1)
    }

    func testSummaryPicksTheTargetsSeries() {
        let summary = MonitorExport.summarize(results, window: window)
        let target = MonitorTarget(name: "s1", host: "127.0.0.1", port: 1)
        XCTAssertEqual(summary.values(for: target)["rss"], ["mean": 20, "max": 30, "last": 30])
        XCTAssertEqual(summary.values(for: target)["busy"], ["mean": 0.5, "max": 0.5, "last": 0.5])
        XCTAssertNil(summary.values(for: target)["bad"])
        XCTAssertEqual(summary.queries["bad"]?.error, "parse error")
        XCTAssertEqual(MonitorExport.merge([NamedQuery(name: "a", promql: "1"), NamedQuery(name: "b", promql: "2")],
                                           [NamedQuery(name: "a", promql: "3")]).map(\.promql), ["2", "3"])
    }
}
