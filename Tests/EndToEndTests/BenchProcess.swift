import Foundation
import XCTest

/// Runs the real `bench` binary the package built, in a scratch folder of its own.
struct BenchProcess {
    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// `.build/<config>/bench`, beside the test bundle.
    static var binary: URL {
        if let override = ProcessInfo.processInfo.environment["BENCH_BIN"] { return URL(fileURLWithPath: override) }
        var dir = Bundle.main.bundleURL
        for _ in 0..<3 {
            let candidate = dir.appendingPathComponent("bench")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return Bundle.main.bundleURL.appendingPathComponent("bench")
    }

    /// The repository root, for shipped recipes and examples.
    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("bench-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    func cleanUp() { try? FileManager.default.removeItem(at: directory) }

    var environment: [String: String] {
        var env = ProcessInfo.processInfo.environment
        // The real cache (llama-server, the model, the Chroma venv), not one under the scratch HOME.
        env["BENCH_CACHE"] = env["BENCH_CACHE"] ?? ((env["HOME"] ?? NSHomeDirectory()) + "/.cache/bench")
        env["HOME"] = directory.path
        env["BENCH_HISTORY"] = directory.appendingPathComponent("history").path
        env.removeValue(forKey: "BENCH_RECIPES")
        env.removeValue(forKey: "BENCH_SESSIONS")
        return env
    }

    /// Starts bench with `arguments`; stdin is a pipe the caller may write to.
    func start(_ arguments: [String]) throws -> (Process, Pipe, Pipe, Pipe) {
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.environment = environment
        let input = Pipe(), output = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        return (process, input, output, errors)
    }

    /// Runs bench to completion with `stdin` as its input.
    func run(_ arguments: [String], stdin: String = "") throws -> Output {
        let (process, input, output, errors) = try start(arguments)
        input.fileHandleForWriting.write(Data(stdin.utf8))
        try input.fileHandleForWriting.close()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Output(status: process.terminationStatus, stdout: String(decoding: out, as: UTF8.self), stderr: String(decoding: err, as: UTF8.self))
    }

    func read(_ relativePath: String) throws -> String {
        try String(contentsOf: directory.appendingPathComponent(relativePath), encoding: .utf8)
    }

    func write(_ relativePath: String, _ text: String) throws {
        let url = directory.appendingPathComponent(relativePath)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
    }

    /// Waits until `condition` holds, polling; fails the test after `timeout` seconds.
    static func waitUntil(_ timeout: TimeInterval, _ what: String, file: StaticString = #filePath, line: UInt = #line, _ condition: () -> Bool) {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition() { return }
            Thread.sleep(forTimeInterval: 0.05)
        }
        XCTFail("timed out after \(timeout)s waiting for \(what)", file: file, line: line)
    }
}
