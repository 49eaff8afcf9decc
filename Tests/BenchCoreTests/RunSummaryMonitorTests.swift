@testable import BenchCore
import Foundation
import XCTest

/// The server side of `show rN`: a monitor's status line instead of an empty table, and older
/// results (no status) as before.
final class RunSummaryMonitorTests: XCTestCase {
    private func result(monitor: [String: JSONValue]) -> RunResult {
        var result = RunResult(run: "r4", session: "s", recipe: .init(name: "redis-get-set", kind: "redis", sha256: ""),
                               target: .init(given: "s1", host: "127.0.0.1", port: 6379, portName: "main"),
                               workload: .init(mode: "closed", concurrency: 1, duration: 30),
                               startedAt: Date(timeIntervalSince1970: 0), endedAt: Date(timeIntervalSince1970: 30))
        result.monitor = monitor
        return result
    }

    private let stats: JSONValue = ["mean": 1000, "max": 1200, "last": 900]

    func testPartialWithoutSamplesPrintsTheNoteAndNoTable() throws {
        let text = RunSummaryRenderer.lines(result(monitor: ["m1": [
            "recipe": "prometheus", "status": "partial", "covered_s": 12,
            "note": "m1 prometheus killed(SIGKILL) at 12:03:04 (12.0 s of 30.0 s covered); not summarised: the monitor was down when the run ended",
            "queries": [:],
        ]])).joined(separator: "\n")
        XCTAssertTrue(text.contains("  server side (monitor m1): partial: m1 prometheus killed(SIGKILL) at 12:03:04 (12.0 s of 30.0 s covered)"), text)
        XCTAssertTrue(text.contains("'monitor restart m1', then 'monitor export m1 --run r4', reads the samples it kept"), text)
        XCTAssertFalse(text.contains("mean          max         last"), "no header over an empty table:\n\(text)")
    }

    func testPartialWithSamplesPrintsBothAndCompleteOnlyTheTable() throws {
        let partial = RunSummaryRenderer.lines(result(monitor: ["m1": [
            "recipe": "prometheus", "status": "partial", "note": "m1 prometheus not answering since 12:03:04, back at 12:03:10 (24.0 s of 30.0 s covered)",
            "queries": ["redis_commands_per_s": stats],
        ]])).joined(separator: "\n")
        XCTAssertTrue(partial.contains("server side (monitor m1): partial: m1 prometheus not answering since 12:03:04"), partial)
        XCTAssertTrue(partial.contains("server side (monitor m1, over the run)"), partial)
        XCTAssertTrue(partial.contains("redis_commands_per_s"), partial)
        XCTAssertFalse(partial.contains("reads the samples it kept"), partial)

        let complete = RunSummaryRenderer.lines(result(monitor: ["m1": [
            "recipe": "prometheus", "status": "complete", "covered_s": 30, "queries": ["redis_commands_per_s": stats],
        ]])).joined(separator: "\n")
        XCTAssertFalse(complete.contains("server side (monitor m1):"), complete)
        XCTAssertTrue(complete.contains("server side (monitor m1, over the run)"), complete)
    }

    func testOlderResultsWithoutStatusDecodeAndPrintAsBefore() throws {
        // A result file written before monitors had a status.
        var old = result(monitor: ["m1": ["recipe": "prometheus", "queries": ["redis_commands_per_s": stats]]])
        let decoded = try RunResult.decode(from: try old.jsonData())
        let text = RunSummaryRenderer.lines(decoded).joined(separator: "\n")
        XCTAssertTrue(text.contains("server side (monitor m1, over the run)"), text)
        XCTAssertFalse(text.contains("server side (monitor m1):"), text)
        // One with no query answered says so rather than printing a bare header.
        old.monitor = ["m1": ["recipe": "prometheus", "queries": [:]]]
        let empty = RunSummaryRenderer.lines(try RunResult.decode(from: try old.jsonData())).joined(separator: "\n")
        XCTAssertTrue(empty.contains("server side (monitor m1): no samples over the run"), empty)
        XCTAssertFalse(empty.contains("mean          max         last"), empty)
    }
}
