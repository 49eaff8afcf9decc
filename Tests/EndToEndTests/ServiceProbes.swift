import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Talks to the real services in tests: raw TCP, a Redis PING, memcached's stats, an HTTP GET; reads bench's state file.
enum ServiceProbes {
    /// Sends `request` to 127.0.0.1:port and returns what came back before the peer closed or `timeout` passed.
    static func exchange(port: Int, request: String, timeout: TimeInterval = 3, until: ((String) -> Bool)? = nil) -> String? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var tv = timeval(tv_sec: Int(timeout), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return nil }
        _ = request.withCString { send(fd, $0, strlen($0), 0) }
        var received = Data()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            received.append(buffer, count: n)
            if let until, until(String(decoding: received, as: UTF8.self)) { break }
        }
        return String(decoding: received, as: UTF8.self)
    }

    static func redisPing(port: Int) -> Bool {
        exchange(port: port, request: "PING\r\n", until: { $0.contains("\r\n") })?.hasPrefix("+PONG") == true
    }

    /// memcached's own counters (`stats`: cmd_get, get_hits, total_connections, …).
    static func memcachedStats(port: Int) -> [String: Int] {
        var stats: [String: Int] = [:]
        for line in (exchange(port: port, request: "stats\r\n", until: { $0.hasSuffix("END\r\n") }) ?? "").split(separator: "\r\n") {
            let words = line.split(separator: " ")
            if words.count == 3, words[0] == "STAT", let value = Int(words[2]) { stats[String(words[1])] = value }
        }
        return stats
    }

    /// Status code and body of `GET path`.
    static func httpGet(port: Int, path: String = "/") -> (Int, String)? {
        guard let response = exchange(port: port, request: "GET \(path) HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"),
              let statusLine = response.split(separator: "\r\n").first else { return nil }
        let parts = statusLine.split(separator: " ")
        guard parts.count >= 2, let status = Int(parts[1]) else { return nil }
        let body = response.range(of: "\r\n\r\n").map { String(response[$0.upperBound...]) } ?? ""
        return (status, body)
    }

    /// The servers in `sessions/NAME/state.json`, by handle.
    static func servers(in directory: URL, session: String) -> [String: [String: Any]] {
        let url = directory.appendingPathComponent("sessions/\(session)/state.json")
        guard let data = try? Data(contentsOf: url),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let servers = object["servers"] as? [[String: Any]] else { return [:] }
        return Dictionary(uniqueKeysWithValues: servers.compactMap { server in (server["handle"] as? String).map { ($0, server) } })
    }

    static func port(_ server: [String: Any]?, _ name: String = "main") -> Int? {
        ((server?["endpoint"] as? [String: Any])?["ports"] as? [String: Any])?[name] as? Int
    }

    static func pid(_ server: [String: Any]?) -> Int32? {
        (((server?["runtime"] as? [String: Any])?["main"] as? [String: Any])?["pid"] as? Int).map(Int32.init)
    }

    static func isReady(_ server: [String: Any]?) -> Bool {
        guard let state = server?["state"] as? [String: Any] else { return false }
        return state["ready"] != nil
    }

    /// A listening socket of the test's own on 127.0.0.1 (`port` 0: any free one), and its port.
    static func listen(port: Int = 0) -> (Int32, Int) {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        // As servers do: without it the bind fails while the port has connections in TIME_WAIT (a
        // server that closed first), and the test would hold no port at all.
        var on: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        Glibc.listen(listener, 1)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) } }
        return (listener, Int(UInt16(bigEndian: address.sin_port)))
    }

    /// Whether any process of the group still exists (zombies count as gone).
    static func groupIsAlive(_ pgid: Int32) -> Bool {
        !groupMembers(pgid).isEmpty
    }

    /// The living processes of a group (zombies count as gone).
    static func groupMembers(_ pgid: Int32) -> [Int32] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        return entries.compactMap { entry in
            guard let pid = Int32(entry), let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                  let close = stat.range(of: ")", options: .backwards) else { return nil }
            let fields = stat[close.upperBound...].split(separator: " ")
            return fields.count > 2 && fields[0] != "Z" && Int32(fields[2]) == pgid ? pid : nil
        }
    }
}
