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
