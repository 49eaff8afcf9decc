import BenchCore
import Glibc

/// Finds free TCP ports for `ports: {name: auto}` and checks fixed ones before a start.
///
/// There is an unavoidable race: a port is free when we look, but we close our socket before the
/// server binds it, so another process may take it in between. The kernel hands out bind(0)
/// ports from the ephemeral range in a spread-out order, which makes this rare; a server that
/// fails to bind then fails readiness with its own "address in use" in the log.
public enum PortAllocator {
    /// A port on `host` that nothing listens on now (bind to port 0, read it back, close).
    ///
    /// - Parameter excluding: ports already promised to instances that have not bound them yet.
    public static func freePort(host: String = "127.0.0.1", excluding: Set<Int> = []) throws -> Int {
        try freePorts(count: 1, host: host, excluding: excluding)[0]
    }

    /// `count` distinct free ports on `host`.
    ///
    /// All the probe sockets stay open until every port is found, so the kernel cannot hand the
    /// same port out twice; `excluding` and duplicates are skipped.
    public static func freePorts(count: Int, host: String = "127.0.0.1", excluding: Set<Int> = []) throws -> [Int] {
        guard count > 0 else { return [] }
        let address = try bindAddress(host: host, port: 0)
        var sockets: [Int32] = []
        defer { sockets.forEach { close($0) } }
        var ports: [Int] = []
        var taken = excluding
        var attempts = 0
        while ports.count < count {
            attempts += 1
            guard attempts <= count * 20 + 100 else {
                throw BenchError("cannot find \(count) free ports on \(host)")
            }
            // Without SO_REUSEADDR: with it, Linux may hand two unlistened sockets the same port.
            let fd: Int32
            do {
                fd = try boundSocket(address, reuseAddress: false)
            } catch let error as BindFailure {
                throw BenchError("cannot bind a port on \(host): \(ErrnoText.of(error.code))")
            }
            sockets.append(fd)
            guard let port = SocketAddress.localPort(of: fd) else {
                throw BenchError("cannot read the port bound on \(host): \(ErrnoText.of(errno))")
            }
            if taken.insert(port).inserted { ports.append(port) }
        }
        return ports
    }

    /// True when a server could not bind `host:port` now because another socket holds it
    /// (a listener, or a socket bound without SO_REUSEADDR).
    ///
    /// The test socket sets SO_REUSEADDR, as servers do, so ports merely in TIME_WAIT from recent
    /// connections do not count as in use: the server would bind them fine.
    public static func isInUse(host: String = "127.0.0.1", port: Int) -> Bool {
        guard let address = try? bindAddress(host: host, port: port) else { return false }
        do {
            close(try boundSocket(address))
            return false
        } catch let error as BindFailure {
            return error.code == EADDRINUSE
        } catch {
            return false
        }
    }

    /// Throws a clear error when `host:port` cannot be bound now ("port 6379 on 127.0.0.1 is
    /// already in use"), for fixed ports before a start.
    public static func checkAvailable(host: String = "127.0.0.1", port: Int) throws {
        let address = try bindAddress(host: host, port: port)
        do {
            close(try boundSocket(address))
        } catch let error as BindFailure where error.code == EADDRINUSE {
            throw BenchError("port \(port) on \(host) is already in use")
        } catch let error as BindFailure {
            throw BenchError("cannot use port \(port) on \(host): \(ErrnoText.of(error.code))")
        }
    }

    private struct BindFailure: Error { let code: Int32 }

    private static func bindAddress(host: String, port: Int) throws -> SocketAddress {
        guard let address = try SocketAddress.resolve(host: host, port: port, passive: true).first else {
            throw BenchError("cannot resolve host '\(host)'")
        }
        return address
    }

    /// A socket bound to `address`; throws `BindFailure` with the errno.
    private static func boundSocket(_ address: SocketAddress, reuseAddress: Bool = true) throws -> Int32 {
        let fd = socket(address.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw BindFailure(code: errno) }
        var on: Int32 = 1
        if reuseAddress { setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size)) }
        let result = address.withSockaddr { bind(fd, $0, $1) }
        guard result == 0 else {
            let code = errno
            close(fd)
            throw BindFailure(code: code)
        }
        return fd
    }
}
