import BenchCore
import BenchNetwork
import BenchPlacement
@testable import BenchMonitors
import BenchServers
import Foundation
import Glibc
import XCTest

/// A fresh folder under the system temporary directory.
func makeTemporaryDirectory(_ function: String = #function) throws -> String {
    let name = "bench-monitors-\(function.filter { $0.isLetter || $0.isNumber })-\(UUID().uuidString.prefix(8))"
    let path = NSTemporaryDirectory() + name
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// Base class: every process a test starts is registered here and stopped in tearDown.
class MonitorTestCase: XCTestCase {
    private var cleanups: [@Sendable () async -> Void] = []
    private(set) var directory = ""

    override func setUp() async throws {
        try await super.setUp()
        directory = try makeTemporaryDirectory(name)
    }

    override func tearDown() async throws {
        for cleanup in cleanups.reversed() { await cleanup() }
        cleanups = []
        try? FileManager.default.removeItem(atPath: directory)
        try await super.tearDown()
    }

    func onTearDown(_ cleanup: @escaping @Sendable () async -> Void) { cleanups.append(cleanup) }

    /// Starts `argv` with logs in the test folder; killed in tearDown.
    func launch(_ argv: [String], log: String) throws -> LaunchedProcess {
        let path = directory + "/\(log).log"
        let process = try ProcessLauncher.launch(LaunchSpec(
            argv: argv, environment: ProcessInfo.processInfo.environment, workingDirectory: directory,
            stdoutPath: path, stderrPath: path))
        onTearDown {
            _ = await ProcessGroupSignaller.terminate(group: process.processGroup, leader: process.pid, grace: .seconds(2))
        }
        return process
    }

    /// A redis-server without persistence and its exporter, both on free ports, both ready.
    func startRedisWithExporter() async throws -> (redisPort: Int, exporterPort: Int, redis: LaunchedProcess) {
        let ports = try PortAllocator.freePorts(count: 2)
        let redis = try launch(["redis-server", "--port", "\(ports[0])", "--bind", "127.0.0.1", "--save", "",
                                "--appendonly", "no", "--dir", directory], log: "redis")
        try await waitFor("redis on \(ports[0])") { RedisConnection(port: ports[0]) != nil }
        _ = try launch(["prometheus-redis-exporter", "--redis.addr=redis://127.0.0.1:\(ports[0])",
                        "--web.listen-address=127.0.0.1:\(ports[1])"], log: "redis_exporter")
        let http = SlowHTTPClient(timeout: .seconds(1))
        try await waitFor("redis exporter on \(ports[1])") {
            guard let response = try? await http.get(host: "127.0.0.1", port: ports[1], path: "/metrics") else { return false }
            return response.status == 200 && response.text.contains("redis_up 1")
        }
        return (ports[0], ports[1], redis)
    }

    /// Polls `condition` every 100 ms until it holds or `timeout` seconds pass.
    func waitFor(_ what: String, timeout: Double = 10, _ condition: () async -> Bool) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if await condition() { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        if await condition() { return }
        throw BenchError("timed out after \(timeout) s waiting for \(what)")
    }
}

/// A blocking RESP connection for generating load from the test itself.
final class RedisConnection {
    let fd: Int32

    init?(port: Int) {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else { close(fd); return nil }
    }

    deinit { close(fd) }

    /// Sends `count` pipelined inline commands and reads `count` one-line replies.
    func pipeline(_ command: String, count: Int) throws {
        let request = Array(String(repeating: command + "\r\n", count: count).utf8)
        var sent = 0
        while sent < request.count {
            let n = request.withUnsafeBytes { send(fd, $0.baseAddress! + sent, request.count - sent, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw BenchError("send failed") }
            sent += n
        }
        var replies = 0
        var buffer = [UInt8](repeating: 0, count: 65536)
        while replies < count {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { throw BenchError("recv failed") }
            replies += buffer[0..<n].reduce(0) { $0 + ($1 == 10 ? 1 : 0) }
        }
    }

    /// Sends `rate` commands per second for `seconds`, in pipelined batches every 25 ms, on a
    /// dispatch thread; returns how many were sent and when the load began and ended.
    static func load(port: Int, command: String, rate: Int, seconds: Double) async throws -> (count: Int, start: Date, end: Date) {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result {
                    guard let connection = RedisConnection(port: port) else { throw BenchError("cannot connect to redis") }
                    let batch = max(1, rate / 40)
                    let start = Date()
                    var count = 0
                    var tick = 0
                    while Date().timeIntervalSince(start) < seconds {
                        try connection.pipeline(command, count: batch)
                        count += batch
                        tick += 1
                        let next = start.addingTimeInterval(Double(tick) * 0.025)
                        let wait = next.timeIntervalSinceNow
                        if wait > 0 { usleep(UInt32(wait * 1_000_000)) }
                    }
                    return (count, start, Date())
                })
            }
        }
    }
}
