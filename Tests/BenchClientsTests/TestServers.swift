import Foundation
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// A real server process started for one test, on its own port, in its own folder; stopped by pid.
// @unchecked: its fields never change after launch; stop() may come from a timer thread in one test.
final class TestServer: @unchecked Sendable {
    let port: Int
    let directory: URL
    private let process: Process
    /// The signal that stops it. Children of the test runner start with SIGTERM blocked (the
    /// runner's signal mask is inherited); nginx unblocks it itself, redis-server does not.
    private let stopSignal: Int32

    private init(port: Int, directory: URL, process: Process, stopSignal: Int32) {
        self.port = port
        self.directory = directory
        self.process = process
        self.stopSignal = stopSignal
    }

    /// nginx with one worker, access log off; `/` answers 200 "hello", `/chunked/` answers chunked.
    static func nginx(keepaliveRequests: Int = 10_000) throws -> TestServer {
        let directory = try makeDirectory("nginx")
        let port = try freePort()
        let www = directory.appendingPathComponent("www")
        try FileManager.default.createDirectory(at: www, withIntermediateDirectories: true)
        try String(repeating: "0123456789abcdef", count: 512).write(to: www.appendingPathComponent("big.txt"),
                                                                    atomically: true, encoding: .utf8)
        let d = directory.path
        let config = """
        worker_processes 1;
        error_log \(d)/error.log;
        pid \(d)/nginx.pid;
        events { worker_connections 4096; }
        http {
            access_log off;
            keepalive_requests \(keepaliveRequests);
            client_body_temp_path \(d)/body;
            proxy_temp_path \(d)/proxy;
            fastcgi_temp_path \(d)/fastcgi;
            uwsgi_temp_path \(d)/uwsgi;
            scgi_temp_path \(d)/scgi;
            gzip off;
            server {
                listen 127.0.0.1:\(port);
                location = / { return 200 "hello\\n"; }
                location = /post { return 200 "posted\\n"; }
                location /chunked/ {
                    alias \(www.path)/;
                    chunked_transfer_encoding on;
                    sub_filter 'zzz' 'yyy';
                    sub_filter_once off;
                    sub_filter_types *;
                }
            }
        }
        """
        try config.write(to: directory.appendingPathComponent("nginx.conf"), atomically: true, encoding: .utf8)
        return try launch("/usr/sbin/nginx", ["-p", d, "-c", "\(d)/nginx.conf", "-g", "daemon off;"],
                          port: port, directory: directory, stopSignal: SIGTERM)
    }

    static func redis() throws -> TestServer {
        let directory = try makeDirectory("redis")
        let port = try freePort()
        return try launch("/usr/bin/redis-server",
                          ["--port", "\(port)", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                           "--dir", directory.path, "--daemonize", "no", "--logfile", "\(directory.path)/redis.log"],
                          port: port, directory: directory, stopSignal: SIGKILL)
    }

    /// memcached with one worker thread, UDP off.
    static func memcached() throws -> TestServer {
        let directory = try makeDirectory("memcached")
        let port = try freePort()
        return try launch("/usr/bin/memcached", ["-p", "\(port)", "-l", "127.0.0.1", "-U", "0", "-t", "1", "-m", "64",
                                                   // memcached refuses to run as root without a user to switch to.
                                                   "-u", "nobody"],
                          port: port, directory: directory, stopSignal: SIGKILL)
    }

    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, stopSignal)
            let deadline = Date().addingTimeInterval(5)
            while process.isRunning && Date() < deadline { usleep(10_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: directory)
    }

    /// Runs `redis-cli -p PORT args…` and returns its output.
    func redisCLI(_ arguments: [String]) throws -> String {
        let cli = Process()
        cli.executableURL = URL(fileURLWithPath: "/usr/bin/redis-cli")
        cli.arguments = ["-p", "\(port)"] + arguments
        let pipe = Pipe()
        cli.standardOutput = pipe
        try cli.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        cli.waitUntilExit()
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// memcached's own counters (`stats`: cmd_get, get_hits, …), read over a connection of the test's own.
    func memcachedStats() throws -> [String: Int] {
        var stats: [String: Int] = [:]
        for line in try memcachedExchange("stats\r\n", until: "END\r\n").split(separator: "\r\n") {
            let words = line.split(separator: " ")
            if words.count == 3, words[0] == "STAT", let value = Int(words[2]) { stats[String(words[1])] = value }
        }
        return stats
    }

    /// Sends `request` to memcached on a connection of its own and reads until the reply ends with `terminator`.
    func memcachedExchange(_ request: String, until terminator: String) throws -> String {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var tv = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        guard connected else { throw XCTSkip("memcached on port \(port) refused a connection") }
        _ = request.withCString { send(fd, $0, strlen($0), 0) }
        var text = ""
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while !text.hasSuffix(terminator) {
            let n = recv(fd, &buffer, buffer.count, 0)
            guard n > 0 else { break }
            text += String(decoding: buffer[0..<n], as: UTF8.self)
        }
        return text
    }

    private static func launch(_ path: String, _ arguments: [String], port: Int, directory: URL,
                               stopSignal: Int32) throws -> TestServer {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let server = TestServer(port: port, directory: directory, process: process, stopSignal: stopSignal)
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if canConnect(port: port) { return server }
            guard process.isRunning else { break }
            usleep(20_000)
        }
        server.stop()
        throw XCTSkip("\(path) did not start on port \(port)")
    }

    private static func makeDirectory(_ name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("bench-clients-\(name)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A port nothing listens on right now (bound to 0 and released).
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { p -> Bool in
                bind(fd, p, length) == 0 && getsockname(fd, p, &length) == 0
            }
        }
        guard bound else { throw XCTSkip("no free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    static func canConnect(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}
