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

    func testMemcachedOverridesApplyAndBadValuesSayWhatIsExpected() throws {
        let sets = [("command", "set"), ("pipeline", "32"), ("ttl", "1h"), ("key_prefix", "u/"), ("keyspace", "500"),
                    ("value_size", "2KiB"), ("ratio", "1:3")]
        guard case .memcached(let p) = try ClientParamOverrides.apply(sets, to: .memcached(MemcachedParams())) else {
            return XCTFail("still a memcached recipe")
        }
        XCTAssertEqual(p, MemcachedParams(command: .set, ratio: RedisRatio(sets: 1, gets: 3), keyspace: 500, keyPrefix: "u/",
                                          valueSize: ByteSize(bytes: 2048), pipeline: 32, ttl: 3600))
        guard case .memcached(let seconds) = try ClientParamOverrides.apply([("ttl", "90"), ("key_prefix", "")], to: .memcached(MemcachedParams())) else {
            return XCTFail("still a memcached recipe")
        }
        XCTAssertEqual(seconds.ttl, 90, "a bare number is seconds")
        XCTAssertEqual(seconds.keyPrefix, "", "an empty prefix is allowed")

        let ttl = "expected whole seconds from 0 to 2592000 (30 days; memcached reads a longer expiry as a Unix timestamp), or a duration such as 60s or 1h"
        for (key, value, message) in [
            ("pipeline", "1025", "client run: --set pipeline=1025: expected a depth from 1 to 1024"),
            ("pipeline", "0", "client run: --set pipeline=0: expected a depth from 1 to 1024"),
            ("ttl", "31d", "client run: --set ttl=31d: \(ttl)"),
            ("ttl", "1.5", "client run: --set ttl=1.5: \(ttl)"),
            ("ttl", "-1", "client run: --set ttl=-1: \(ttl)"),
            ("key_prefix", "a b", "client run: --set key_prefix=a b: 'a b' has a space or control character, which the memcached text protocol does not allow in a key"),
            ("key_prefix", String(repeating: "k", count: 247), "client run: --set key_prefix=\(String(repeating: "k", count: 247)): '\(String(repeating: "k", count: 247))' makes keys of up to 251 bytes with a key space of 10000; memcached allows 250"),
            ("command", "delete", "client run: --set command=delete: expected get, set or mixed"),
            ("value_size", "0B", "client run: --set value_size=0B: expected at least 1 byte"),
            ("keyspace", "x", "client run: --set keyspace=x: expected a positive number of keys"),
            ("expiry", "1", "client run: --set expiry: no such parameter (parameters: command, ratio, keyspace, key_prefix, value_size, pipeline, ttl)"),
            ("tll", "1", "client run: --set tll: no such parameter; did you mean 'ttl'? (parameters: command, ratio, keyspace, key_prefix, value_size, pipeline, ttl)"),
        ] {
            XCTAssertThrowsError(try ClientParamOverrides.apply([(key, value)], to: .memcached(MemcachedParams()))) { error in
                XCTAssertEqual("\(error)", message)
            }
        }
        // A key space grown past what the recipe's prefix allows is named by the key space it came from.
        let long = MemcachedParams(keyPrefix: String(repeating: "k", count: 245))
        XCTAssertThrowsError(try ClientParamOverrides.apply([("keyspace", "10000000")], to: .memcached(long))) { error in
            XCTAssertEqual("\(error)", "client run: --set keyspace=10000000: '\(long.keyPrefix)' makes keys of up to 252 bytes with a key space of 10000000; memcached allows 250")
        }
    }

    func testChromaOverridesTakeEveryParamAndErrorsNameItAndWhatIsValid() throws {
        let sets: [(String, String)] = [("search_ef", "16"), ("selectivity", "0.1"), ("phases", "query,load"), ("recreate", "true"),
                                        ("dataset", "uniform"), ("dim", "32"), ("collection", "my-vectors")]
        guard case .chroma(let p) = try ClientParamOverrides.apply(sets, to: .chroma(ChromaParams())) else {
            return XCTFail("still a chroma recipe")
        }
        XCTAssertEqual(p.searchEf, 16)
        XCTAssertEqual(p.selectivity, 0.1)
        XCTAssertEqual(p.bucketLimit, 10)
        XCTAssertEqual(p.phases, [.load, .query], "measured in their own order")
        XCTAssertTrue(p.recreate)
        XCTAssertEqual(p.dataset, .uniform)
        XCTAssertEqual(p.dim, 32)
        XCTAssertEqual(p.collection, "my-vectors")

        for (key, value, message) in [
            ("distance", "euclid", "client run: --set distance=euclid: 'euclid' is not one of l2, cosine, ip"),
            ("search_ef", "0", "client run: --set search_ef=0: must be at least 1, found 0"),
            ("phases", "load,serve", "client run: --set phases=load,serve: 'serve' is not a phase; give a list of load, query, mixed (e.g. load,query)"),
            ("collection", "a", "client run: --set collection=a: 'a' is not a Chroma collection name: 3 to 512 characters from a-z A-Z 0-9 . _ -, starting and ending with a letter or digit (or 'auto')"),
            ("recreate", "maybe", "client run: --set recreate=maybe: expected true or false, found 'maybe'"),
            ("search-ef", "8", "client run: --set search-ef: no such parameter; did you mean 'search_ef'? (parameters: \(ChromaParams.fieldNames.joined(separator: ", ")))"),
            ("phases", "query,mixed", "client run: --set: params.phases: 'query' and 'mixed' are both query phases; give one of them"),
            ("dataset", "file", "client run: --set: params.dataset_path: required when dataset is 'file'"),
        ] {
            XCTAssertThrowsError(try ClientParamOverrides.apply([(key, value)], to: .chroma(ChromaParams())), key) { error in
                XCTAssertEqual("\(error)", message)
            }
        }
    }
}
