/// Helpers for tests that start real processes and sockets, shared by the placement and server tests.
import BenchCore
import BenchPlacement
import Foundation
import Glibc
import XCTest

/// A fresh folder under the system temporary directory, removed by `cleanUp`.
public func makeTemporaryDirectory(_ function: String = #function) throws -> String {
    let name = "bench-test-\(function.filter { $0.isLetter || $0.isNumber })-\(UUID().uuidString.prefix(8))"
    let path = NSTemporaryDirectory() + name
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// The test process's own environment: PATH and whatever pyenv shims need.
public var testEnvironment: [String: String] { ProcessInfo.processInfo.environment }

/// Launches `/bin/sh -c script` with logs in `directory`.
public func launchShell(_ script: String, in directory: String) throws -> LaunchedProcess {
    try ProcessLauncher.launch(LaunchSpec(
        argv: ["/bin/sh", "-c", script], environment: testEnvironment, workingDirectory: directory,
        stdoutPath: directory + "/stdout.log", stderrPath: directory + "/stderr.log"))
}

/// Kills the group and reaps the leader: no test leaves processes behind, even when it fails.
public func killAndReap(_ process: LaunchedProcess) {
    ProcessGroupSignaller.signal(group: process.processGroup, SIGKILL)
    var status: Int32 = 0
    while waitpid(process.pid, &status, 0) == -1 && errno == EINTR {}
}

/// Polls `condition` every 20 ms until it holds or `timeout` seconds pass; returns whether it held.
public func eventually(timeout: Double = 5, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if condition() { return true }
        usleep(20_000)
    }
    return condition()
}

/// The async form of `eventually`.
public func eventuallyAsync(timeout: Double = 5, _ condition: () async -> Bool) async -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if await condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return await condition()
}

/// The executable name of `pid` (`/proc/PID/comm`).
public func commandName(of pid: Int32) -> String? {
    (try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8))?
        .trimmingCharacters(in: .whitespacesAndNewlines)
}

/// A hex mask line (`SigIgn:`, `SigBlk:`) of `/proc/PID/status`.
public func signalMask(_ field: String, of pid: Int32) -> UInt64? {
    guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
    for line in status.split(separator: "\n") where line.hasPrefix(field + ":") {
        return UInt64(line.dropFirst(field.count + 1).trimmingCharacters(in: .whitespaces), radix: 16)
    }
    return nil
}

/// Bit of `signal` in a /proc signal mask.
public func maskBit(_ signal: Int32) -> UInt64 { 1 << UInt64(signal - 1) }

/// A TCP socket listening on 127.0.0.1:`port` (0: any), closed by `close()`.
public final class TestListener {
    public let fd: Int32
    public let port: Int

    public init(port: Int = 0) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var on: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 16) == 0, let actual = SocketAddress.localPort(of: fd) else {
            Glibc.close(fd)
            throw BenchError("test listener: \(String(cString: strerror(errno)))")
        }
        self.fd = fd
        self.port = actual
    }

    public func close() { Glibc.close(fd) }
}
