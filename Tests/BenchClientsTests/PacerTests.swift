@testable import BenchClients
import XCTest

final class PacerTests: XCTestCase {
    func testConstantPacerIsEvenlySpaced() {
        let pacer = ConstantPacer(rate: 500)
        XCTAssertEqual(pacer.scheduledTime(ofRequest: 0), 0)
        XCTAssertEqual(pacer.scheduledTime(ofRequest: 1), 2_000_000)
        XCTAssertEqual(pacer.scheduledTime(ofRequest: 1000), 2_000_000_000)
    }

    func testPoissonScheduleIsAFunctionOfSeedRateAndIndex() {
        let a = PoissonPacer(rate: 1000, seed: 42)
        let b = PoissonPacer(rate: 1000, seed: 42)
        let c = PoissonPacer(rate: 1000, seed: 43)
        let first = (0..<200).map { a.scheduledTime(ofRequest: $0) }
        XCTAssertEqual(first, (0..<200).map { b.scheduledTime(ofRequest: $0) })
        XCTAssertNotEqual(first, (0..<200).map { c.scheduledTime(ofRequest: $0) })
        XCTAssertEqual(first, first.sorted(), "a schedule never goes back in time")
    }

    func testEngineCursorWalksTheSameSchedule() {
        let poisson = PoissonPacer(rate: 20_000, seed: 7)
        var cursor = ScheduleCursor(arrival: .poisson(poisson))
        for i in 0..<5000 { XCTAssertEqual(cursor.next(), poisson.scheduledTime(ofRequest: i)) }
        let constant = ConstantPacer(rate: 333)
        var walk = ScheduleCursor(arrival: .constant(constant))
        for i in 0..<5000 { XCTAssertEqual(walk.next(), constant.scheduledTime(ofRequest: i)) }
    }

    func testPoissonMeanGapIsOneOverRate() {
        let rate = 2000.0
        let n = 200_000
        var cursor = ScheduleCursor(arrival: .poisson(PoissonPacer(rate: rate, seed: 1)))
        var last: UInt64 = 0
        var gaps: [Double] = []
        gaps.reserveCapacity(n)
        for _ in 0...n {
            let t = cursor.next()
            gaps.append(Double(t - last))
            last = t
        }
        gaps.removeFirst()
        let mean = gaps.reduce(0, +) / Double(n)
        XCTAssertEqual(mean, 1e9 / rate, accuracy: 1e9 / rate * 0.01)
        // Exponential: the standard deviation equals the mean.
        let variance = gaps.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n)
        XCTAssertEqual(variance.squareRoot(), mean, accuracy: mean * 0.02)
    }

    func testPlanPicksThePacer() {
        var plan = LoadPlan(host: "127.0.0.1", port: 1, mode: .open, rate: 100, arrival: .poisson, seed: 9)
        XCTAssertEqual(plan.pacer?.scheduledTime(ofRequest: 10), PoissonPacer(rate: 100, seed: 9).scheduledTime(ofRequest: 10))
        plan.arrival = .constant
        XCTAssertEqual(plan.pacer?.scheduledTime(ofRequest: 10), 100_000_000)
        plan.mode = .closed
        XCTAssertNil(plan.pacer)
    }

    func testPlanProblems() {
        XCTAssertNil(LoadPlan(host: "h", port: 80).problem)
        XCTAssertNotNil(LoadPlan(host: "h", port: 80, concurrency: 0).problem)
        XCTAssertNotNil(LoadPlan(host: "h", port: 80, duration: nil, requests: nil).problem)
        XCTAssertNotNil(LoadPlan(host: "h", port: 80, mode: .open).problem, "open loop needs a rate")
        XCTAssertNotNil(LoadPlan(host: "h", port: 80, mode: .open, rate: -1).problem)
    }
}
