@testable import BenchClients
import BenchCore
import Foundation
import XCTest

/// The dataset readers on small files written here: what they read, and where they say a bad file goes wrong.
final class VectorFileReaderTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("vectors-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(at: directory) }

    private func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let url = directory.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }

    private func le<T: FixedWidthInteger>(_ value: T) -> [UInt8] { withUnsafeBytes(of: value.littleEndian, Array.init) }
    private func le(_ value: Float) -> [UInt8] { withUnsafeBytes(of: value.bitPattern.littleEndian, Array.init) }

    private func fvecs(_ rows: [[Float]]) -> [UInt8] { rows.flatMap { le(Int32($0.count)) + $0.flatMap(le) } }

    private func message(_ body: () throws -> Void) -> String {
        do {
            try body()
            return "no error"
        } catch {
            return "\(error)"
        }
    }

    func testFvecsBvecsAndIvecsReadBackWhatWasWritten() throws {
        let f = try write("a.fvecs", fvecs([[1, 2, 3], [4, 5, 6.5]]))
        let loaded = try VectorFileReader.vectors(at: f)
        XCTAssertEqual(loaded.vectors.dim, 3)
        XCTAssertEqual(loaded.vectors.values, [1, 2, 3, 4, 5, 6.5])
        XCTAssertEqual(loaded.sha256, SHA256.hex(try Data(contentsOf: URL(fileURLWithPath: f))))

        let b = try write("a.bvecs", le(Int32(2)) + [7, 255] + le(Int32(2)) + [0, 1])
        XCTAssertEqual(try VectorFileReader.vectors(at: b).vectors.values, [7, 255, 0, 1])

        let i = try write("gt.ivecs", le(Int32(2)) + le(Int32(5)) + le(Int32(9)) + le(Int32(2)) + le(Int32(0)) + le(Int32(1)))
        let ids = try VectorFileReader.ids(at: i)
        XCTAssertEqual(ids.rows, [5, 9, 0, 1])
        XCTAssertEqual(ids.width, 2)
    }

    func testTruncatedAndCorruptVecsFilesNameTheRecordAndByteOffset() throws {
        // Two records of dimension 3 are 2 × 16 bytes; cut the second after 10 of them.
        let whole = fvecs([[1, 2, 3], [4, 5, 6]])
        let cut = try write("cut.fvecs", Array(whole.prefix(26)))
        XCTAssertEqual(message { _ = try VectorFileReader.vectors(at: cut) },
                       "\(cut): truncated: record 1 at byte offset 16 has 10 of its 16 bytes (the file ends at byte 26)")

        let mixed = try write("mixed.fvecs", fvecs([[1, 2, 3], [4, 5]]))
        XCTAssertEqual(message { _ = try VectorFileReader.vectors(at: mixed) },
                       "\(mixed): record 1 at byte offset 16 declares dimension 2, but record 0 has 3: not an .fvecs file, or a corrupt one")

        // A text file is not an fvecs file: its first four bytes make no sensible dimension.
        let text = try write("notes.fvecs", Array("hello, world".utf8))
        XCTAssertTrue(message { _ = try VectorFileReader.vectors(at: text) }.contains("not an .fvecs file: record 0 (byte offset 0) declares dimension"))

        let nan = try write("nan.fvecs", fvecs([[1, .nan, 3]]))
        XCTAssertEqual(message { _ = try VectorFileReader.vectors(at: nan) },
                       "\(nan): record 0 (byte offset 0): value 1 is nan; every value must be a finite number")

        let unknown = try write("a.csv", [1])
        XCTAssertEqual(message { _ = try VectorFileReader.vectors(at: unknown) },
                       "\(unknown): unknown vector file format '.csv': bench reads .npy, .fvecs, .bvecs, .ivecs, .jsonl")
    }

    private func npy(descr: String = "<f4", shape: String, data: [Float]) -> [UInt8] {
        var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shape), }"
        while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        return [0x93] + Array("NUMPY".utf8) + [1, 0] + le(UInt16(header.utf8.count)) + Array(header.utf8) + data.flatMap(le)
    }

    func testNpyReadsFloat32MatricesAndRejectsOthersWithThePlace() throws {
        let good = try write("a.npy", npy(shape: "(2, 2)", data: [1, 2, 3, 4]))
        let loaded = try VectorFileReader.vectors(at: good).vectors
        XCTAssertEqual(loaded.dim, 2)
        XCTAssertEqual(loaded.values, [1, 2, 3, 4])

        let short = try write("short.npy", npy(shape: "(3, 2)", data: [1, 2, 3, 4, 5]))
        XCTAssertEqual(message { _ = try VectorFileReader.vectors(at: short) },
                       "\(short): truncated: shape (3, 2) needs 24 bytes of data from byte offset 128, the file has 20 "
                           + "(row 2, at byte offset 144, is incomplete)")

        let doubles = try write("d.npy", npy(descr: "<f8", shape: "(1, 2)", data: [1, 2, 3, 4]))
        XCTAssertEqual(message { _ = try VectorFileReader.vectors(at: doubles) },
                       "\(doubles): dtype <f8 is not little-endian float32 ('<f4'): save it with arr.astype('float32')")

        let flat = try write("flat.npy", npy(shape: "(4,)", data: [1, 2, 3, 4]))
        XCTAssertTrue(message { _ = try VectorFileReader.vectors(at: flat) }.contains("shape (4,) is not 2-D"))

        let fake = try write("fake.npy", Array("not numpy at all".utf8))
        XCTAssertEqual(message { _ = try VectorFileReader.vectors(at: fake) },
                       "\(fake): not an .npy file: it does not start with \\x93NUMPY (byte offset 0)")
    }

    func testJSONLKeepsIdsMetadataAndDocumentsAndNamesTheBadLine() throws {
        let good = try write("a.jsonl", Array("""
            {"id": "a", "embedding": [1, 2], "metadata": {"genre": "jazz"}, "document": "first"}

            {"id": 7, "embedding": [3.5, 4]}
            """.utf8))
        let set = try VectorFileReader.vectors(at: good).vectors
        XCTAssertEqual(set.values, [1, 2, 3.5, 4])
        XCTAssertEqual(set.ids, ["a", "7"])
        XCTAssertEqual(set.metadata, ["\"genre\":\"jazz\"", ""])
        XCTAssertEqual(set.documents, ["first", ""])

        let truncated = try write("t.jsonl", Array("{\"embedding\": [1, 2]}\n{\"embedding\": [3, ".utf8))
        XCTAssertEqual(message { _ = try VectorFileReader.vectors(at: truncated) },
                       "\(truncated):2: not a JSON object (a truncated line, or not JSON Lines)")

        let ragged = try write("r.jsonl", Array("{\"embedding\": [1, 2]}\n{\"embedding\": [3]}\n".utf8))
        XCTAssertEqual(message { _ = try VectorFileReader.vectors(at: ragged) }, "\(ragged):2: 'embedding' has 1 values, the first line's has 2")

        let twice = try write("d.jsonl", Array("{\"id\": \"x\", \"embedding\": [1]}\n{\"id\": \"x\", \"embedding\": [2]}\n".utf8))
        XCTAssertEqual(message { _ = try VectorFileReader.vectors(at: twice) }, "\(twice):2: id 'x' repeats line 1's")

        let bucket = try write("b.jsonl", Array("{\"embedding\": [1], \"metadata\": {\"bucket\": 3}}\n".utf8))
        XCTAssertTrue(message { _ = try VectorFileReader.vectors(at: bucket) }.hasPrefix("\(bucket):1: metadata 'bucket' is bench's own"))
    }

    func testStreamingSHA256MatchesTheOneShotDigestWhateverThePieces() {
        let message = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let expected = SHA256.digest(message).map { String(format: "%02x", $0) }.joined()
        for piece in [1, 7, 63, 64, 65, 1000] {
            var hasher = SHA256Hasher()
            for start in stride(from: 0, to: message.count, by: piece) {
                hasher.update(Array(message[start..<min(start + piece, message.count)]))
            }
            XCTAssertEqual(hasher.finalizeHex(), expected, "pieces of \(piece)")
        }
        var empty = SHA256Hasher()
        XCTAssertEqual(empty.finalizeHex(), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }
}
