import BenchCore
@testable import BenchPlacement
@testable import BenchServers
import Foundation
import ProcessTestSupport
import Glibc
import XCTest

/// One probe of an instance on 127.0.0.1 whose logs and working directory are `directory`.
private func probe(_ check: ReadinessCheck, ports: [String: Int] = [:], directory: String = "/tmp",
                   stdoutOffset: Int64 = 0) async -> ProbeResult {
    await ReadinessProber.probe(check, host: "127.0.0.1", ports: ports,
                                stdoutPath: directory + "/stdout.log", stderrPath: directory + "/stderr.log",
                                stdoutOffset: stdoutOffset, environment: testEnvironment, workingDirectory: directory)
}

final class ReadinessProberTests: XCTestCase {
    func testTCPRefusedThenReady() async throws {
        let port = try PortAllocator.freePort(host: "127.0.0.1")
        let refused = await probe(.tcp(port: "main"), ports: ["main": port])
        XCTAssertEqual(refused, .notReady("connection refused on 127.0.0.1:\(port)"))
        let listener = try TestListener(port: port)
        defer { listener.close() }
        let ready = await probe(.tcp(port: "main"), ports: ["main": port])
        XCTAssertEqual(ready, .ready)
        // A server bound to the wildcard is probed on loopback.
        let wildcard = await ReadinessProber.probe(.tcp(port: "main"), host: "0.0.0.0", ports: ["main": port],
                                                   stdoutPath: "", stderrPath: "", environment: [:], workingDirectory: "/")
        XCTAssertEqual(wildcard, .ready)
        let unknownPort = await probe(.tcp(port: "admin"), ports: ["main": port])
        XCTAssertEqual(unknownPort, .notReady("no port named 'admin'"))
    }

    func testHTTPAgainstARealServer() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "ok\n".write(toFile: directory + "/health", atomically: true, encoding: .utf8)
        let port = try PortAllocator.freePort(host: "127.0.0.1")
        let refused = await probe(.http(port: "web", path: "/", status: 200, body: nil), ports: ["web": port])
        XCTAssertEqual(refused, .notReady("connection refused on 127.0.0.1:\(port)"))

        let server = try ProcessLauncher.launch(LaunchSpec(
            argv: ["python3", "-m", "http.server", String(port), "--bind", "127.0.0.1"],
            environment: testEnvironment, workingDirectory: directory,
            stdoutPath: directory + "/stdout.log", stderrPath: directory + "/stderr.log"))
        defer { killAndReap(server) }
        let up = await eventuallyAsync(timeout: 10) {
            await probe(.tcp(port: "web"), ports: ["web": port]) == .ready
        }
        XCTAssertTrue(up, "python3 -m http.server did not start: \(LogTail.lastLines(path: directory + "/stderr.log", count: 5))")

        let root = await probe(.http(port: "web", path: "/", status: 200, body: nil), ports: ["web": port])
        XCTAssertEqual(root, .ready)
        let health = await probe(.http(port: "web", path: "health", status: 200, body: "ok"), ports: ["web": port])
        XCTAssertEqual(health, .ready)
        let missing = await probe(.http(port: "web", path: "/nope", status: 200, body: nil), ports: ["web": port])
        XCTAssertEqual(missing, .notReady("HTTP 404 from /nope, expected 200"))
        let wrongBody = await probe(.http(port: "web", path: "/health", status: 200, body: "ready"), ports: ["web": port])
        XCTAssertEqual(wrongBody, .notReady("body of /health lacks 'ready'"))

        // The blocking work runs off the cooperative pool: many probes at once all answer.
        let results = await withTaskGroup(of: ProbeResult.self) { group in
            for _ in 0..<16 {
                group.addTask { await probe(.http(port: "web", path: "/health", status: 200, body: "ok"), ports: ["web": port]) }
            }
            return await group.reduce(into: [ProbeResult]()) { $0.append($1) }
        }
        XCTAssertEqual(results, Array(repeating: .ready, count: 16))
    }

    func testHTTPTimesOutOnASilentServer() async throws {
        let listener = try TestListener()  // accepts (backlog) but never answers
        defer { listener.close() }
        let started = Date()
        let result = await probe(.http(port: "web", path: "/", status: 200, body: nil), ports: ["web": listener.port])
        XCTAssertEqual(result, .notReady("no HTTP answer from 127.0.0.1:\(listener.port) within 2s"))
        XCTAssertLessThan(Date().timeIntervalSince(started), 3)
    }

    func testLogPatternAppearingAfterADelay() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let check = ReadinessCheck.log(.text("ready to accept"), stream: .stdout)
        let before = await probe(check, directory: directory)
        XCTAssertEqual(before, .notReady("no line matching 'ready to accept' yet in stdout"))

        let process = try launchShell("echo starting; sleep 0.3; echo 'server is ready to accept connections'; exec sleep 30",
                                      in: directory)
        defer { killAndReap(process) }
        let early = await probe(check, directory: directory)
        XCTAssertNotEqual(early, .ready)
        let ready = await eventuallyAsync(timeout: 5) { await probe(check, directory: directory) == .ready }
        XCTAssertTrue(ready)

        // Output of an earlier start (before the offset) does not count.
        let offset = try XCTUnwrap(LogTail.size(of: directory + "/stdout.log"))
        let afterOffset = await probe(check, directory: directory, stdoutOffset: offset)
        XCTAssertNotEqual(afterOffset, .ready)
        // Only stderr is searched for .stderr.
        let inStderr = await probe(.log(.text("ready to accept"), stream: .stderr), directory: directory)
        XCTAssertEqual(inStderr, .notReady("no line matching 'ready to accept' yet in stderr"))
    }

    func testLogRegexPerLineInEitherStream() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "listening on port 8080\n".write(toFile: directory + "/stderr.log", atomically: true, encoding: .utf8)
        try "noise\n".write(toFile: directory + "/stdout.log", atomically: true, encoding: .utf8)
        let anchored = await probe(.log(.regex("^listening on port [0-9]+$"), stream: .any), directory: directory)
        XCTAssertEqual(anchored, .ready)
        let stdoutOnly = await probe(.log(.regex("port [0-9]+"), stream: .stdout), directory: directory)
        XCTAssertEqual(stdoutOnly, .notReady("no line matching /port [0-9]+/ yet in stdout"))
        let neither = await probe(.log(.regex("^port"), stream: .any), directory: directory)
        XCTAssertEqual(neither, .notReady("no line matching /^port/ yet in stdout or stderr"))
    }

    func testCommandProbe() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let success = await probe(.command(["true"]), directory: directory)
        XCTAssertEqual(success, .ready)
        let failure = await probe(.command(["false"]), directory: directory)
        XCTAssertEqual(failure, .notReady("command exited 1"))
        let withOutput = await probe(.command(["sh", "-c", "echo 'no response' >&2; exit 2"]), directory: directory)
        XCTAssertEqual(withOutput, .notReady("command exited 2: no response"))
        let missing = await probe(.command(["pg_isreadyx"]), directory: directory)
        XCTAssertTrue(missing.reason?.hasPrefix("cannot start 'pg_isreadyx': not found in PATH") == true, "\(missing)")
        // Runs in the given working directory.
        let inDirectory = await probe(.command(["test", "-d", "."]), directory: directory)
        XCTAssertEqual(inDirectory, .ready)
    }

    func testCommandTimeoutKillsItsProcessGroup() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // A sleep length no other process uses marks the probe's processes in /proc/PID/cmdline.
        let marker = "29.\(Int.random(in: 100_000...999_999))"
        let started = Date()
        let result = await ReadinessProber.probeCommand(
            ["sh", "-c", "sleep \(marker) & exec sleep \(marker)"], environment: testEnvironment,
            workingDirectory: directory, timeout: .milliseconds(300))
        XCTAssertEqual(result, .notReady("command did not finish within 0.3s"))
        XCTAssertLessThan(Date().timeIntervalSince(started), 2)
        let leftovers = ProcFiles.allPIDs().filter {
            (try? String(contentsOfFile: "/proc/\($0)/cmdline", encoding: .utf8))?.contains("sleep\0\(marker)") == true
        }
        XCTAssertEqual(leftovers, [], "the probe's process group is killed")
    }
}
