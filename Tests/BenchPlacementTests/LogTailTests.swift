@testable import BenchPlacement
import Foundation
import ProcessTestSupport
import XCTest

final class LogTailTests: XCTestCase {
    private func write(_ text: String) throws -> String {
        let path = NSTemporaryDirectory() + "bench-logtail-\(UUID().uuidString).log"
        try text.write(toFile: path, atomically: false, encoding: .utf8)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    func testLastLines() throws {
        let path = try write((1...100).map { "line \($0)" }.joined(separator: "\n") + "\n")
        XCTAssertEqual(LogTail.lastLines(path: path, count: 3), ["line 98", "line 99", "line 100"])
        XCTAssertEqual(LogTail.lastLines(path: path, count: 500).count, 100)
        XCTAssertEqual(LogTail.lastLines(path: path, count: 0), [])
        XCTAssertEqual(LogTail.lastLines(path: NSTemporaryDirectory() + "missing-\(UUID())", count: 3), [])
    }

    func testLastLinesWithoutTrailingNewlineAndCRLF() throws {
        XCTAssertEqual(LogTail.lastLines(path: try write("a\r\nb\r\npartial"), count: 2), ["b", "partial"])
        XCTAssertEqual(LogTail.lastLines(path: try write(""), count: 2), [])
        XCTAssertEqual(LogTail.lastLines(path: try write("\n\nx\n"), count: 5), ["", "", "x"])
    }

    func testByteLimitDropsTheCutLine() throws {
        let path = try write("aaaaaaaaaa\nbbbb\ncccc\n")
        // The last 12 bytes are "aa\nbbbb\ncccc\n" → the cut "aa" is dropped.
        XCTAssertEqual(LogTail.lastLines(path: path, count: 10, maxBytes: 12), ["bbbb", "cccc"])
    }

    func testNewLinesFollowsAGrowingFile() throws {
        let path = try write("one\ntw")
        var (lines, offset) = LogTail.newLines(path: path, from: 0)
        XCTAssertEqual(lines, ["one"])
        XCTAssertEqual(offset, 4)
        let handle = try XCTUnwrap(FileHandle(forWritingAtPath: path))
        handle.seekToEndOfFile()
        handle.write(Data("o\nthree\n".utf8))
        try handle.close()
        (lines, offset) = LogTail.newLines(path: path, from: offset)
        XCTAssertEqual(lines, ["two", "three"])
        XCTAssertEqual(offset, LogTail.size(of: path))
        XCTAssertEqual(LogTail.newLines(path: path, from: offset).lines, [])
        XCTAssertEqual(LogTail.read(path: path, from: 4), "two\nthree\n")
    }
}
