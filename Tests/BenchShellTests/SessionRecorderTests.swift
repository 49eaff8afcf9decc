import BenchCore
@testable import BenchShell
import Foundation
import XCTest

final class SessionRecorderTests: XCTestCase {
    var root: URL!

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("bench-recorder-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: root) }

    private func makeSession(secrets: [String: String] = [:]) throws -> Session {
        try Session(name: "exp1", sessionsRoot: root, catalog: RecipeCatalog(directories: []), environment: [:],
                    secrets: Secrets(values: secrets))
    }

    func testNothingIsWrittenUntilSomethingIsRecorded() throws {
        let session = try makeSession()
        let recorder = SessionRecorder(session: session, header: .init(version: "0.1.0", host: "h", orchestrator: "local"))
        try recorder.recordFailure("bogus", error: "unknown command 'bogus'")
        XCTAssertFalse(FileManager.default.fileExists(atPath: session.scriptURL.path))
        XCTAssertFalse(FileManager.default.fileExists(atPath: session.directory.path))

        try recorder.recordSuccess("set timing on")
        try recorder.recordSuccess("server start redis --count 2", producedHandles: [Handle(kind: .server, number: 1), Handle(kind: .server, number: 2)])
        try recorder.recordFailure("server stop s9", error: "unknown server handle 's9'")
        let text = try String(contentsOf: session.scriptURL, encoding: .utf8)
        let lines = text.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines[0], "# bench session script; replay with: bench --replay exp1.bench")
        XCTAssertEqual(lines[1], "# session: exp1")
        XCTAssertTrue(lines.contains("# bench: 0.1.0"))
        XCTAssertTrue(lines.contains("# host: h"))
        XCTAssertTrue(lines.contains("# orchestrator: local"))
        XCTAssertTrue(lines.contains { $0.hasPrefix("# date: 20") })
        // The held failure comes first, then commands in order, handles as trailing comments.
        let body = lines.drop { $0.hasPrefix("# ") && !$0.hasPrefix("# failed") }
        XCTAssertEqual(Array(body), [
            "# failed: bogus",
            "#   error: unknown command 'bogus'",
            "set timing on",
            "server start redis --count 2  # -> s1 s2",
            "# failed: server stop s9",
            "#   error: unknown server handle 's9'",
        ])

        // The reader gets the same commands and the handles back.
        let script = SessionScript(path: "exp1.bench", text: text)
        XCTAssertEqual(script.commands.map(\.text), ["set timing on", "server start redis --count 2  # -> s1 s2"])
        XCTAssertEqual(script.commands.map(\.expectedHandles), [[], ["s1", "s2"]])
        XCTAssertEqual(script.header["session"], "exp1")
    }

    func testSecretsNeverReachTheScript() throws {
        let session = try makeSession(secrets: ["SLURM_ACCOUNT": "p200123", "HF_TOKEN": "hf_abcdef123"])
        let recorder = SessionRecorder(session: session, header: .init(version: "0.1.0", host: "h", orchestrator: "slurm"))
        try recorder.recordSuccess("echo account p200123 token hf_abcdef123")
        let text = try String(contentsOf: session.scriptURL, encoding: .utf8)
        XCTAssertFalse(text.contains("p200123"))
        XCTAssertFalse(text.contains("hf_abcdef123"))
        XCTAssertTrue(text.contains("echo account ${SLURM_ACCOUNT} token ${HF_TOKEN}"))
    }

    func testHeldFailuresAreKeptAtTheEnd() throws {
        let session = try makeSession()
        let recorder = SessionRecorder(session: session, header: .init(version: "0.1.0", host: "h", orchestrator: "local"))
        try recorder.recordFailure("server start nope", error: "unknown server recipe 'nope'")
        try recorder.finish()
        let text = try String(contentsOf: session.scriptURL, encoding: .utf8)
        XCTAssertTrue(text.hasSuffix("# failed: server start nope\n#   error: unknown server recipe 'nope'\n"))
    }

    func testDisabledRecorderWritesNothing() throws {
        let session = try makeSession()
        let recorder = SessionRecorder(session: session, header: .init(version: "0.1.0", host: "h", orchestrator: "local"), enabled: false)
        try recorder.recordSuccess("echo hi")
        try recorder.finish()
        XCTAssertFalse(FileManager.default.fileExists(atPath: session.scriptURL.path))
    }

    func testInterruptedCommandsKeepTheirHandlesToSkip() throws {
        let recorder = SessionRecorder(session: try makeSession(), header: .init(version: "0", host: "h", orchestrator: "local"), enabled: true)
        try recorder.recordSuccess("server start nginx", producedHandles: [Handle(kind: .server, number: 1)])
        try recorder.recordInterrupted("client run nginx-get --target s1 --seed 1", producedHandles: [Handle(kind: .run, number: 1)])
        try recorder.recordSuccess("client run nginx-get --target s1 --seed 1", producedHandles: [Handle(kind: .run, number: 2)])
        let text = try String(contentsOf: root.appendingPathComponent("exp1.bench"), encoding: .utf8)
        XCTAssertTrue(text.contains("# interrupted: client run nginx-get --target s1 --seed 1  # -> r1\n"), text)
        let script = SessionScript(path: "exp1.bench", text: text)
        XCTAssertEqual(script.commands.map(\.skipped), [false, true, false])
        XCTAssertEqual(script.commands.map(\.expectedHandles), [["s1"], ["r1"], ["r2"]])
    }

    func testFailedCommandsThatTookHandlesAreSkippedOnReplay() throws {
        let recorder = SessionRecorder(session: try makeSession(), header: .init(version: "0", host: "h", orchestrator: "local"), enabled: true)
        try recorder.recordSuccess("server start nginx", producedHandles: [Handle(kind: .server, number: 1)])
        try recorder.recordFailure("client run nginx-get --target 127.0.0.1:9 --seed 1", error: "r1 failed: no request succeeded",
                                   producedHandles: [Handle(kind: .run, number: 1)])
        try recorder.recordFailure("bogus", error: "unknown command 'bogus'")
        let text = try String(contentsOf: root.appendingPathComponent("exp1.bench"), encoding: .utf8)
        XCTAssertTrue(text.contains("# failed: client run nginx-get --target 127.0.0.1:9 --seed 1  # -> r1\n#   error: r1 failed"), text)
        let script = SessionScript(path: "exp1.bench", text: text)
        XCTAssertEqual(script.commands.map(\.text), ["server start nginx  # -> s1", "client run nginx-get --target 127.0.0.1:9 --seed 1  # -> r1"])
        XCTAssertEqual(script.commands.map(\.skipped), [false, true])
    }

    func testExpectedHandlesStopAtTheAuthorsComment() {
        let script = SessionScript(path: "x.bench", text: "server start redis --count 2  # -> s1 s2 (two caches)\nmonitor start sampler  # -> m1\n")
        XCTAssertEqual(script.commands.map(\.expectedHandles), [["s1", "s2"], ["m1"]])
    }
}
