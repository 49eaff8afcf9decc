@testable import BenchCore
import Foundation
import XCTest

/// The session folder's advisory lock: one holder, its identity readable, nothing left by an empty session.
final class SessionLockTests: XCTestCase {
    var root: URL!

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("bench-lock-\(UUID().uuidString)")
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: root) }

    func testASecondHolderIsRefusedAndToldWhoHoldsIt() throws {
        let folder = root.appendingPathComponent("exp1")
        let first = try SessionLock.acquire(directory: folder, host: "node7").get()
        // flock belongs to the open file, so a second open in the same process conflicts like another bench would.
        switch SessionLock.acquire(directory: folder, host: "elsewhere") {
        case .success: XCTFail("a second holder got the lock")
        case .failure(.held(let holder)):
            XCTAssertEqual(holder.pid, getpid())
            XCTAssertEqual(holder.host, "node7")
            XCTAssertTrue(holder.description.hasPrefix("bench pid \(getpid()) on node7 (since 20"), holder.description)
        case .failure(let other): XCTFail("\(other)")
        }
        first.release(removeIfAlone: false)
        let again = try SessionLock.acquire(directory: folder).get()
        again.release(removeIfAlone: true)
    }

    func testAnEmptySessionLeavesNothingAndAUsedOneKeepsItsFiles() throws {
        let empty = root.appendingPathComponent("empty")
        try SessionLock.acquire(directory: empty).get().release(removeIfAlone: true)
        XCTAssertFalse(FileManager.default.fileExists(atPath: empty.path))

        let used = root.appendingPathComponent("used")
        let lock = try SessionLock.acquire(directory: used).get()
        try Data("{}".utf8).write(to: used.appendingPathComponent("state.json"))
        lock.release(removeIfAlone: true)
        XCTAssertTrue(FileManager.default.fileExists(atPath: used.appendingPathComponent("state.json").path))
    }

    func testAnUnwritableFolderIsNamed() throws {
        let file = root.appendingPathComponent("plain-file")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try Data().write(to: file)
        guard case .failure(.unavailable(let path, _)) = SessionLock.acquire(directory: file.appendingPathComponent("exp1")) else {
            return XCTFail("a folder under a plain file was locked")
        }
        XCTAssertTrue(path.hasSuffix("plain-file/exp1"), path)
    }

    func testHolderTextParsesWhatAcquireWrites() {
        XCTAssertEqual(SessionLock.Holder.parse("pid=42 host=n1 since=2026-12-06T03:00:00Z\n"),
                       SessionLock.Holder(pid: 42, host: "n1", since: "2026-12-06T03:00:00Z"))
        XCTAssertEqual(SessionLock.Holder.parse("garbage").description, "bench pid ?")
    }
}
