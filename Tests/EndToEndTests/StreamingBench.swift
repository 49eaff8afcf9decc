import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// A running bench fed one command at a time, whose output is read as it comes, so a test can act
/// between commands (fill the disk, kill a server, send a signal) once the previous one has finished.
///
/// Command ends are counted with `set timing on`: a command that succeeds prints `Time: …`, one that
/// fails prints `<stdin>:N: error: …`.
final class StreamingBench: @unchecked Sendable {
    // @unchecked: the output buffers are only touched under `lock`; `sent` only by the test's thread.
    let process: Process
    private let input: FileHandle
    private let lock = NSLock()
    private var out = Data()
    private var err = Data()
    private var sent = 0

    init(_ bench: BenchProcess, _ arguments: [String]) throws {
        let (process, input, output, errors) = try bench.start(arguments)
        self.process = process
        self.input = input.fileHandleForWriting
        for (pipe, isError) in [(output, false), (errors, true)] {
            pipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
                let data = handle.availableData
                // End of file: nothing more will come, and the handler would be called again and again.
                if data.isEmpty { handle.readabilityHandler = nil }
                self?.take(data, error: isError)
            }
        }
    }

    private func take(_ data: Data, error: Bool) {
        lock.lock()
        defer { lock.unlock() }
        if error { err.append(data) } else { out.append(data) }
    }

    var stdout: String { lock.lock(); defer { lock.unlock() }; return String(decoding: out, as: UTF8.self) }
    var stderr: String { lock.lock(); defer { lock.unlock() }; return String(decoding: err, as: UTF8.self) }

    /// Sends a line without waiting.
    func send(_ line: String) {
        sent += 1
        input.write(Data((line + "\n").utf8))
    }

    /// Sends `set timing on` first: every later command then says when it ended.
    func startCounting() { run("set timing on") }

    /// Sends a line and waits until it ended (the session must count, see `startCounting`); returns
    /// what it wrote to stderr.
    @discardableResult
    func run(_ line: String, timeout: TimeInterval = 30, file: StaticString = #filePath, lineNumber: UInt = #line) -> String {
        let before = stderr.count
        send(line)
        let number = sent
        BenchProcess.waitUntil(timeout, "'\(line.prefix(60))' (line \(number)) to end", file: file, line: lineNumber) {
            self.ended >= number || self.process.isRunning == false
        }
        return String(stderr.dropFirst(before))
    }

    /// Commands that ended so far: `Time:` lines plus lines with an error of their own.
    private var ended: Int {
        let text = stderr
        let timed = text.components(separatedBy: "\nTime: ").count - 1 + (text.hasPrefix("Time: ") ? 1 : 0)
        var failedLines = Set<Substring>()
        for line in text.split(separator: "\n") where line.hasPrefix("<stdin>:") && line.contains(": error: ") {
            failedLines.insert(line.split(separator: ":")[1])
        }
        return timed + failedLines.count
    }

    /// Closes stdin (end of the batch) and waits for bench to exit; returns its status.
    func finish(timeout: TimeInterval = 30) -> Int32 {
        try? input.close()
        return waitForExit(timeout: timeout)
    }

    /// Waits for bench to exit (after a signal, say); returns its status.
    func waitForExit(timeout: TimeInterval = 30) -> Int32 {
        BenchProcess.waitUntil(timeout, "bench to exit") { !self.process.isRunning }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        // The last output may still be in the pipes.
        Thread.sleep(forTimeInterval: 0.05)
        return process.terminationStatus
    }
}
