import BenchCore
@testable import BenchMonitors
import Foundation
import XCTest

/// How much of a run's window a monitor saw: pure arithmetic over its outages.
final class MonitorCoverageTests: XCTestCase {
    private let start = Date(timeIntervalSince1970: 1_800_000_000)
    private var window: TimeWindow { TimeWindow(start: start, end: start.addingTimeInterval(30)) }
    private func at(_ seconds: Double) -> Date { start.addingTimeInterval(seconds) }
    private func clock(_ seconds: Double) -> String { ClockTime.string(at(seconds)) }

    func testNoOutageWithSamplesIsComplete() {
        // An outage that ended before the run does not touch it.
        let earlier = MonitorOutage(cause: "prometheus killed(SIGKILL) at \(clock(-60))", from: at(-60), until: at(-40))
        let coverage = MonitorCoverage(window: window, outages: [earlier], handle: "m1", server: "s1", samplesFound: true)
        XCTAssertEqual(coverage.status, .complete)
        XCTAssertEqual(coverage.coveredSeconds, 30, accuracy: 1e-9)
        XCTAssertNil(coverage.note)
    }

    func testDeathDuringTheRunIsPartialWithTheCoveredSeconds() {
        let death = MonitorOutage(cause: "prometheus killed(SIGKILL) at \(clock(12))", from: at(12))
        let coverage = MonitorCoverage(window: window, outages: [death], handle: "m1", server: "s1", samplesFound: false)
        XCTAssertEqual(coverage.status, .partial)
        XCTAssertEqual(coverage.coveredSeconds, 12, accuracy: 1e-9)
        XCTAssertEqual(coverage.note, "m1 prometheus killed(SIGKILL) at \(clock(12)) (12.0 s of 30.0 s covered); "
                       + "not summarised: the monitor was down when the run ended")
        // Back before the run ended (a restart during a background run): the samples after are summarised.
        var restarted = death
        restarted.until = at(20)
        let back = MonitorCoverage(window: window, outages: [restarted], handle: "m1", server: "s1", samplesFound: true)
        XCTAssertEqual(back.status, .partial)
        XCTAssertEqual(back.coveredSeconds, 22, accuracy: 1e-9)
        XCTAssertEqual(back.note, "m1 prometheus killed(SIGKILL) at \(clock(12)), back at \(clock(20)) (22.0 s of 30.0 s covered)")
    }

    func testDeathBeforeTheRunIsMissing() {
        let death = MonitorOutage(cause: "prometheus exited(1) at \(clock(-5))", from: at(-5))
        let coverage = MonitorCoverage(window: window, outages: [death], handle: "m2", server: "s3", samplesFound: false)
        XCTAssertEqual(coverage.status, .missing)
        XCTAssertEqual(coverage.coveredSeconds, 0)
        XCTAssertEqual(coverage.note, "m2 prometheus exited(1) at \(clock(-5)) (0.0 s of 30.0 s covered)")
        // A run too short to have a length that fell in the outage is missed as well.
        let instant = MonitorCoverage(window: TimeWindow(start: start, end: start), outages: [death], handle: "m2", server: "s3",
                                      samplesFound: false)
        XCTAssertEqual(instant.status, .missing)
    }

    func testOverlappingOutagesCountOnce() {
        // The exporter dies, then Prometheus stops answering while the exporter is still down.
        let exporter = MonitorOutage(cause: "prometheus-node-exporter killed(SIGTERM) at \(clock(5))", from: at(5), until: at(15))
        let hang = MonitorOutage(cause: "prometheus not answering since \(clock(10))", from: at(10), until: at(20))
        let coverage = MonitorCoverage(window: window, outages: [hang, exporter], handle: "m1", server: "s1", samplesFound: true)
        XCTAssertEqual(coverage.status, .partial)
        XCTAssertEqual(coverage.coveredSeconds, 15, accuracy: 1e-9, "5 to 20 s were down, once")
        XCTAssertTrue(coverage.note?.contains("; prometheus-node-exporter killed(SIGTERM)") == true, coverage.note ?? "")
        XCTAssertEqual(MonitorCoverage.union([(at(0), at(1)), (at(3), at(4)), (at(0.5), at(2))]), 3, accuracy: 1e-9)
    }

    func testNoSamplesWithoutOutageIsMissingAndSaysWhy() {
        let unscraped = MonitorCoverage(window: window, outages: [], handle: "m1", server: "s2", samplesFound: false)
        XCTAssertEqual(unscraped.status, .missing)
        XCTAssertEqual(unscraped.coveredSeconds, 30, accuracy: 1e-9, "the monitor ran; it had nothing of s2")
        XCTAssertEqual(unscraped.note, "m1 has no samples of s2 over the run (see 'monitor targets m1')")
        let failing = MonitorCoverage(window: window, outages: [], handle: "m1", server: "s2", samplesFound: false,
                                      queryError: "prometheus: bad_data: parse error")
        XCTAssertEqual(failing.note, "m1 has no samples of s2 over the run: prometheus: bad_data: parse error")
    }

    func testStateWordsAndWhatTheyAllow() {
        let death = MonitorEnding(part: "prometheus", how: "killed(SIGKILL)", at: at(0), endsMonitor: true)
        let exporter = MonitorEnding(part: "prometheus-node-exporter", how: "exited(2)", at: at(0), endsMonitor: false)
        XCTAssertEqual(MonitorState.live.description, "live")
        XCTAssertEqual(MonitorState.died(death).description, "prometheus killed(SIGKILL) at \(clock(0))")
        XCTAssertEqual(MonitorState.notAnswering(since: at(0)).description, "not answering since \(clock(0))")
        XCTAssertEqual(MonitorState.stopped(at: at(0)).description, "stopped at \(clock(0))")
        XCTAssertFalse(MonitorState.died(death).canQuery)
        XCTAssertTrue(MonitorState.died(exporter).canQuery, "Prometheus still answers without its node exporter")
        XCTAssertTrue(MonitorState.died(death).hasProcesses, "a node exporter may outlive Prometheus")
        XCTAssertFalse(MonitorState.stopped(at: at(0)).hasProcesses)
    }
}
