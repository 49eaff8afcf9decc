import BenchCore
import Foundation
import XCTest

/// A run in which nothing succeeded is failed, with a reason that says what happened instead, and
/// its summary shows no statistics it does not have.
final class RunVerdictTests: XCTestCase {
    private func result(_ counts: RunResult.Counts, status: RunStatus = .completed, reason: String? = nil) -> RunResult {
        var r = RunResult(run: "r1", session: "s", recipe: RunResult.Recipe(name: "nginx-get", kind: "http", sha256: "x"),
                          target: RunResult.Target(given: "127.0.0.1:9", host: "127.0.0.1", port: 9),
                          workload: RunResult.Workload(mode: "closed", concurrency: 50, duration: 2, warmup: 2, seed: 1),
                          startedAt: Date(), endedAt: Date(), status: status, statusReason: reason)
        r.counts = counts
        r.measuredDuration = 2
        return r
    }

    private func errors(_ pairs: [String: Int]) -> [String: Int] {
        var all = RunResult.Counts().errors
        all.merge(pairs) { $1 }
        return all
    }

    func testConnectErrorsOnlyFailTheRun() {
        var r = result(RunResult.Counts(errors: errors(["connect": 100]), warmupExcluded: 400, warmupFailed: 400))
        r.failIfNothingSucceeded()
        XCTAssertEqual(r.status, .failed)
        XCTAssertEqual(r.statusReason, "no request succeeded: errors 100 (connect 100)")
        let text = RunSummaryRenderer.lines(r).joined(separator: "\n")
        XCTAssertTrue(text.contains("(warm-up 2.0s excluded: 400 attempts, all failed)"), text)
        XCTAssertTrue(text.contains("latency     none measured: no request was answered"), text)
        XCTAssertFalse(text.contains("response time"), text)
    }

    func testErrorStatusesOnlyFailTheRunAndNameTheStatus() {
        var r = result(RunResult.Counts(sent: 4, completed: 4, errors: errors(["status": 4]), statusCodes: [404: 4]))
        r.failIfNothingSucceeded()
        XCTAssertEqual(r.status, .failed)
        XCTAssertEqual(r.statusReason, "no request succeeded: every answer was an error status (404 x4)")
    }

    func testOneSuccessKeepsTheRunAndInterruptedStaysInterrupted() {
        var ok = result(RunResult.Counts(sent: 5, completed: 5, ok: 1, errors: errors(["status": 4]), statusCodes: [200: 1, 404: 4]))
        ok.failIfNothingSucceeded()
        XCTAssertEqual(ok.status, .completed)
        var stopped = result(RunResult.Counts(), status: .interrupted, reason: "stopped early")
        stopped.failIfNothingSucceeded()
        XCTAssertEqual(stopped.status, .interrupted)
        var dead = result(RunResult.Counts(errors: errors(["connect": 3])), status: .targetFailed, reason: "target s1 failed during the run: s1 exited(1)")
        dead.failIfNothingSucceeded()
        XCTAssertEqual(dead.status, .failed)
        XCTAssertEqual(dead.statusReason, "target s1 failed during the run: s1 exited(1); no request succeeded: errors 3 (connect 3)")
    }

    func testWarmupLineCountsFailuresApart() {
        let r = result(RunResult.Counts(sent: 10, completed: 10, ok: 10, warmupExcluded: 3_400, warmupFailed: 12))
        XCTAssertTrue(RunSummaryRenderer.lines(r).joined().contains("excluded: 3,400 requests, 12 failed)"))
    }
}
