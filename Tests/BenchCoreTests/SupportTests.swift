@testable import BenchCore
import Foundation
import XCTest

final class SupportTests: XCTestCase {
    func testSHA256MatchesFIPSVectors() {
        XCTAssertEqual(SHA256.hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(SHA256.hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(SHA256.hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        XCTAssertEqual(SHA256.hex(String(repeating: "a", count: 1_000_000)),
                       "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    func testDurations() {
        XCTAssertEqual(BenchDuration(parsing: "30s")?.seconds, 30)
        XCTAssertEqual(BenchDuration(parsing: "500ms")?.seconds, 0.5)
        XCTAssertEqual(BenchDuration(parsing: "1h30m")?.seconds, 5400)
        XCTAssertEqual(BenchDuration(parsing: "2")?.seconds, 2)
        XCTAssertEqual(BenchDuration(parsing: "01:00:00")?.seconds, 3600)
        XCTAssertEqual(BenchDuration(parsing: "1-02:00:00")?.seconds, 93_600)
        XCTAssertEqual(BenchDuration(parsing: "05:30")?.seconds, 330)
        for bad in ["", "5parsecs", "-1s", "s", "1:2:3:4", "abc"] { XCTAssertNil(BenchDuration(parsing: bad), bad) }
        XCTAssertEqual(BenchDuration(seconds: 90).description, "1m30s")
        XCTAssertEqual(BenchDuration(seconds: 0.25).description, "250ms")
        XCTAssertEqual(BenchDuration(seconds: 3600).description, "1h")
        XCTAssertEqual(BenchDuration(seconds: 93_600).slurmTime, "1-02:00:00")
        XCTAssertEqual(BenchDuration(seconds: 61).slurmTime, "00:01:01")
    }

    func testByteSizes() {
        XCTAssertEqual(ByteSize(parsing: "64")?.bytes, 64)
        XCTAssertEqual(ByteSize(parsing: "4KiB")?.bytes, 4096)
        XCTAssertEqual(ByteSize(parsing: "1.5GB")?.bytes, 1_500_000_000)
        XCTAssertNil(ByteSize(parsing: "12 parsecs"))
        XCTAssertEqual(ByteSize(bytes: 2048).description, "2KiB")
    }

    func testSuggestions() {
        XCTAssertEqual(Suggestions.nearest(to: "readyness", in: ["readiness", "resources", "ports"]), ["readiness"])
        XCTAssertEqual(Suggestions.nearest(to: "servr", in: ["server", "client", "set"]), ["server"])
        XCTAssertEqual(Suggestions.nearest(to: "zzzzzz", in: ["server", "client"]), [])
        XCTAssertEqual(Suggestions.editDistance("ab", "ba"), 1)
    }

    func testHandlesAreNeverReused() throws {
        let table = HandleTable()
        XCTAssertEqual(try table.allocate(.server, label: "redis").description, "s1")
        XCTAssertEqual(try table.allocate(.server, label: "redis", alias: "cache").description, "s2")
        XCTAssertEqual(try table.allocate(.run, label: "redis-get-set").description, "r1")
        table.setLive(Handle(kind: .server, number: 1), false)
        XCTAssertEqual(try table.allocate(.server, label: "nginx").description, "s3")
        XCTAssertEqual(try table.resolve("cache", as: .server).description, "s2")
        XCTAssertThrowsError(try table.resolve("s9", as: .server)) { error in
            XCTAssertEqual((error as? BenchError)?.message, "unknown server handle 's9' (valid: s1, s2, s3)")
        }
        XCTAssertThrowsError(try table.resolve("r1", as: .server)) { error in
            XCTAssertEqual((error as? BenchError)?.message, "'r1' is a run handle; expected a server handle (valid: s1, s2, s3)")
        }
        XCTAssertThrowsError(try table.allocate(.server, label: "x", alias: "s7"))
        XCTAssertThrowsError(try table.allocate(.server, label: "x", alias: "cache"))
    }

    func testDotenvAndRedaction() {
        let parsed = Secrets.parseDotenv("# comment\nexport SLURM_ACCOUNT=p200123\nHF_TOKEN=\"hf_secret\"\nPLAIN=1\nbroken line\n")
        XCTAssertEqual(parsed.map(\.0), ["SLURM_ACCOUNT", "HF_TOKEN", "PLAIN"])
        let secrets = Secrets(values: Dictionary(uniqueKeysWithValues: parsed))
        XCTAssertEqual(secrets.redact("account p200123 with hf_secret and 1"), "account ${SLURM_ACCOUNT} with ${HF_TOKEN} and 1")
    }

    func testAtomicWriteAndDurableAppend() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bench-support-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("a/state.json")
        try FileWriting.writeAtomically(Data("one".utf8), to: file)
        try FileWriting.writeAtomically(Data("two".utf8), to: file)
        XCTAssertEqual(try String(contentsOf: file, encoding: .utf8), "two")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: file.deletingLastPathComponent().path), ["state.json"])
        let log = try DurableAppendFile(url: dir.appendingPathComponent("log"))
        try log.append("x\n")
        try log.append("y\n")
        XCTAssertEqual(try String(contentsOf: log.url, encoding: .utf8), "x\ny\n")
    }
}
