import BenchClients
import BenchCore
import XCTest

/// The memcached kind against a real memcached, whose own `stats` counters witness what bench counted.
final class MemcachedLoadTests: XCTestCase {
    private var server: TestServer?

    override func tearDown() {
        server?.stop()
        server = nil
    }

    private func memcached() throws -> TestServer {
        let started = try TestServer.memcached()
        server = started
        return started
    }

    /// A mixed, pipelined run with a warm-up: every GET and SET bench counted (measured and warm-up) is one
    /// memcached counted, hits and misses included, and the SETs filled the key space with values of the size asked.
    func testMixedPipelinedRunMatchesTheServersCounters() async throws {
        let memcached = try memcached()
        let before = try memcached.memcachedStats()
        let params = MemcachedParams(command: .mixed, ratio: RedisRatio(sets: 1, gets: 3), keyspace: 1000,
                                     valueSize: ByteSize(bytes: 32), pipeline: 8, ttl: 600)
        let engine = LoadEngine(plan: LoadPlan(host: "127.0.0.1", port: memcached.port, concurrency: 4, duration: nil,
                                               requests: 20_000, warmup: 0.3),
                                protocol: .memcached(params))
        let outcome = try await engine.run { _, _, _ in }
        let after = try memcached.memcachedStats()
        func delta(_ key: String) -> Int { (after[key] ?? 0) - (before[key] ?? 0) }

        XCTAssertEqual(outcome.snapshot.completed, 20_000)
        XCTAssertEqual(outcome.snapshot.errorCount, 0, "\(outcome.snapshot.errors)")
        let counts = try XCTUnwrap(outcome.cacheReplies)
        XCTAssertEqual(counts.getHits + counts.getMisses + counts.setStored, 20_000, "every measured answer counted once")
        XCTAssertGreaterThan(outcome.snapshot.warmupRequests, 0, "the warm-up sent requests")
        XCTAssertEqual(counts.warmupGetHits + counts.warmupGetMisses + counts.warmupSetStored, outcome.snapshot.warmupRequests)
        XCTAssertGreaterThan(counts.getMisses + counts.warmupGetMisses, 0, "the key space started empty")
        XCTAssertGreaterThan(counts.getHits, counts.getMisses, "and filled up")

        // The independent witness: memcached's own counters, warm-up included.
        XCTAssertEqual(delta("cmd_get"), counts.getHits + counts.getMisses + counts.warmupGetHits + counts.warmupGetMisses)
        XCTAssertEqual(delta("get_hits"), counts.getHits + counts.warmupGetHits)
        XCTAssertEqual(delta("get_misses"), counts.getMisses + counts.warmupGetMisses)
        XCTAssertEqual(delta("cmd_set"), counts.setStored + counts.warmupSetStored)
        XCTAssertEqual(Double(counts.setStored), 5000, accuracy: 50, "one SET in four")

        let items = after["curr_items"] ?? 0
        XCTAssertGreaterThan(items, 900, "SETs arrived across the key space")
        XCTAssertLessThanOrEqual(items, 1000)
        // The value's size and the expiry are what was asked for (mg's t flag: seconds left to live).
        let key = (0..<1000).first { (try? memcached.memcachedExchange("mg key:\($0) s t\r\n", until: "\r\n").hasPrefix("HD")) == true }
        let meta = try memcached.memcachedExchange("mg key:\(try XCTUnwrap(key)) s t\r\n", until: "\r\n")
        let match = try XCTUnwrap(meta.firstMatch(of: /^HD s(\d+) t(\d+)\r\n$/), meta)
        XCTAssertEqual(Int(match.1), 32)
        XCTAssertEqual(Double(Int(match.2)!), 600, accuracy: 10)
    }

    func testGetPipelinedOpenLoop() async throws {
        let memcached = try memcached()
        let engine = LoadEngine(
            plan: LoadPlan(host: "127.0.0.1", port: memcached.port, mode: .open, concurrency: 2, rate: 2000, duration: 1),
            protocol: .memcached(MemcachedParams(command: .get, pipeline: 16)))
        let outcome = try await engine.run { _, _, _ in }
        XCTAssertEqual(Double(outcome.snapshot.completed), 2000, accuracy: 40)
        XCTAssertEqual(outcome.snapshot.errorCount, 0)
        XCTAssertEqual(outcome.cacheReplies?.getMisses, outcome.snapshot.completed, "an empty cache: every GET an answered miss")
        XCTAssertEqual(try memcached.memcachedStats()["get_misses"], outcome.snapshot.completed)
    }

    /// memcached refuses a value larger than its item size (1 MiB here) with SERVER_ERROR: an answer counted as a
    /// status error, after which the connection goes on.
    func testErrorRepliesAreStatusErrors() async throws {
        let memcached = try memcached()
        let engine = LoadEngine(plan: LoadPlan(host: "127.0.0.1", port: memcached.port, concurrency: 2, duration: nil,
                                               requests: 40),
                                protocol: .memcached(MemcachedParams(command: .set, keyspace: 1, valueSize: ByteSize(bytes: 2 << 20),
                                                                     pipeline: 4)))
        let outcome = try await engine.run { _, _, _ in }
        XCTAssertEqual(outcome.snapshot.completed, 40)
        XCTAssertEqual(outcome.snapshot.errors[.status], 40, "SERVER_ERROR object too large for cache")
        XCTAssertEqual(outcome.cacheReplies?.setStored, 0)
        XCTAssertEqual(outcome.connectionsOpened, 2, "an error reply keeps the connection")
    }
}
