import BenchClients
import BenchCore
import XCTest

final class ClientParamOverridesTests: XCTestCase {
    func testRedisOverridesApplyAndBadValuesSayWhatIsExpected() throws {
        guard case .redis(let p) = try ClientParamOverrides.apply([("pipeline", "16"), ("value_size", "1KiB")], to: .redis(RedisParams())) else {
            return XCTFail("still a redis recipe")
        }
        XCTAssertEqual(p.pipeline, 16)
        XCTAssertEqual(p.valueSize.bytes, 1024)

        for (key, value, message) in [
            ("value_size", "0B", "client run: --set value_size=0B: expected at least 1 byte"),
            ("pipeline", "0", "client run: --set pipeline=0: expected a depth from 1 to 1024"),
            ("keyspace", "x", "client run: --set keyspace=x: expected a positive number of keys"),
        ] {
            XCTAssertThrowsError(try ClientParamOverrides.apply([(key, value)], to: .redis(RedisParams()))) { error in
                XCTAssertEqual("\(error)", message)
            }
        }
    }
}
