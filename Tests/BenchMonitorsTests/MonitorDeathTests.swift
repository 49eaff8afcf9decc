import BenchCore
import BenchPlacement
@testable import BenchMonitors
import Foundation
import Glibc
import XCTest

/// What dies of a monitor, and how it comes back: the deployment's poll, and the sampler's answer check.
final class MonitorDeathTests: MonitorTestCase {
    /// The node exporter's death leaves Prometheus queryable; Prometheus' own ends the monitor; a
    /// start after both comes back on the same port with the samples from before.
    func testPollTellsWhichPartEndedAndHowAndStartComesBackWithItsData() async throws {
        let deployment = PrometheusDeployment(.init(directory: directory + "/m1", readinessTimeout: .seconds(20)))
        onTearDown { await deployment.stop() }
        try await deployment.start()
        let before = await deployment.poll()
        XCTAssertNil(before, "both run")
        let processes = await deployment.processes
        XCTAssertEqual(processes.count, 2)
        let maybePort = await deployment.port
        let port = try XCTUnwrap(maybePort)
        let client = PrometheusClient(port: port)
        // A time before anything died: up to then Prometheus has scraped itself at least once.
        let firstScrape = try await client.query("up{job=\"prometheus\"}").series.first?.values.first?.time
        let kept = try XCTUnwrap(firstScrape)

        kill(processes[1].pid, SIGTERM)
        var exporter: MonitorEnding?
        try await waitFor("the node exporter's end noticed", timeout: 5) {
            exporter = await deployment.poll()
            return exporter != nil
        }
        XCTAssertEqual(exporter?.part, "prometheus-node-exporter")
        XCTAssertEqual(exporter?.how, "killed(SIGTERM)")
        XCTAssertEqual(exporter?.endsMonitor, false)
        let answers = await deployment.answers()
        XCTAssertTrue(answers, "Prometheus still answers without its exporter")

        kill(processes[0].pid, SIGKILL)
        var prometheus: MonitorEnding?
        try await waitFor("Prometheus' end noticed", timeout: 5) {
            prometheus = await deployment.poll()
            return prometheus != nil
        }
        XCTAssertEqual(prometheus?.part, "prometheus")
        XCTAssertEqual(prometheus?.how, "killed(SIGKILL)")
        XCTAssertEqual(prometheus?.endsMonitor, true)
        let answersDead = await deployment.answers()
        XCTAssertFalse(answersDead)
        let identity = await deployment.identity
        XCTAssertEqual(identity, "-")

        await deployment.stop()
        try await deployment.start()
        let again = await deployment.port
        XCTAssertEqual(again, port, "the address it had, still free")
        // The TSDB folder was reused: evaluated just before that time (lookback), the samples from
        // before the kill are still there; a fresh folder would have none.
        let series = try await client.queryRange("up{job=\"prometheus\"}", start: Date(timeIntervalSince1970: kept - 0.5),
                                                 end: Date(timeIntervalSince1970: kept + 0.5), step: 1)
        XCTAssertFalse(series.flatMap(\.values).isEmpty, "no sample at \(kept) after the restart")
    }

    /// The sampler answers while its loop samples, not once stopped, and again after a start.
    func testSamplerAnswersWhileItSamples() async throws {
        let sampler = BuiltinSampler(interval: BenchDuration(seconds: 0.1))
        onTearDown { await sampler.stop() }
        let idle = await sampler.answers()
        XCTAssertFalse(idle, "not started")
        try await sampler.attach(MonitorTarget(name: "s1", host: "127.0.0.1", port: nil, labels: ["handle": "s1"], processGroup: getpgrp()))
        try await sampler.start()
        let started = await sampler.answers()
        XCTAssertTrue(started)
        try await Task.sleep(for: .milliseconds(300))
        await sampler.stop()
        let stopped = await sampler.answers()
        XCTAssertFalse(stopped)
        let window = TimeWindow(start: Date().addingTimeInterval(-60), end: Date())
        let before = await sampler.rangeQueries([NamedQuery(name: "count", promql: "bench_process_count")], window: window)
        try await sampler.start()
        let restarted = await sampler.answers()
        XCTAssertTrue(restarted)
        // Its store is kept across the restart.
        let after = await sampler.rangeQueries([NamedQuery(name: "count", promql: "bench_process_count")], window: window)
        XCTAssertFalse(before.flatMap(\.series).flatMap(\.values).isEmpty)
        XCTAssertEqual(after.flatMap(\.series).flatMap(\.values).prefix(3).map(\.time), before.flatMap(\.series).flatMap(\.values).prefix(3).map(\.time))
    }
}
