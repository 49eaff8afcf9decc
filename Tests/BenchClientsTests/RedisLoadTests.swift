import BenchClients
import BenchCore
import XCTest

final class RedisLoadTests: XCTestCase {
    private var server: TestServer?

    override func tearDown() {
        server?.stop()
        server = nil
    }

    private func redis() throws -> TestServer {
        let started = try TestServer.redis()
        server = started
        return started
    }

    func testMixedWorkloadWithPipeline() async throws {
        let redis = try redis()
        let params = RedisParams(command: .mixed, ratio: RedisRatio(sets: 1, gets: 3), keyspace: 1000,
                                 valueSize: ByteSize(bytes: 32), pipeline: 8)
        let engine = LoadEngine(plan: LoadPlan(host: "127.0.0.1", port: redis.port, concurrency: 4, duration: nil,
                                               requests: 20_000),
                                protocol: .redis(params))
        let outcome = try await engine.run { _, _, _ in }
        XCTAssertEqual(outcome.snapshot.completed, 20_000)
        XCTAssertEqual(outcome.snapshot.errorCount, 0, "\(outcome.snapshot.errors)")
        let keys = Int(try redis.redisCLI(["DBSIZE"])) ?? 0
        XCTAssertGreaterThan(keys, 900, "SETs arrived across the key space")
        XCTAssertLessThanOrEqual(keys, 1000)
        let stats = try redis.redisCLI(["INFO", "commandstats"])
        let sets = stats.firstMatch(of: /cmdstat_set:calls=(\d+)/).map { Int($0.1)! } ?? 0
        XCTAssertEqual(Double(sets), 5000, accuracy: 50, "one SET in four")
        XCTAssertEqual(try redis.redisCLI(["STRLEN", "key:1"]), "32")
    }

    func testGetPipelinedOpenLoop() async throws {
        let redis = try redis()
        let engine = LoadEngine(
            plan: LoadPlan(host: "127.0.0.1", port: redis.port, mode: .open, concurrency: 2, rate: 2000, duration: 1),
            protocol: .redis(RedisParams(command: .get, pipeline: 16)))
        let outcome = try await engine.run { _, _, _ in }
        XCTAssertEqual(Double(outcome.snapshot.completed), 2000, accuracy: 40)
        XCTAssertEqual(outcome.snapshot.errorCount, 0)
    }

    func testErrorRepliesAreStatusErrors() async throws {
        let redis = try redis()
        _ = try redis.redisCLI(["LPUSH", "key:0", "a"])
        let engine = LoadEngine(plan: LoadPlan(host: "127.0.0.1", port: redis.port, concurrency: 2, duration: nil,
                                               requests: 100),
                                protocol: .redis(RedisParams(command: .get, keyspace: 1, pipeline: 4)))
        let outcome = try await engine.run { _, _, _ in }
        XCTAssertEqual(outcome.snapshot.completed, 100)
        XCTAssertEqual(outcome.snapshot.errors[.status], 100, "WRONGTYPE replies")
    }
}
