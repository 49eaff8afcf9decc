import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The one-writer guarantee of a session folder: an advisory `flock` on `sessions/NAME/.lock`, held
/// for as long as the bench that opened the session runs.
///
/// The kernel drops the lock when the process ends however it ends, so a SIGKILLed bench never
/// leaves a stale lock: the file may stay behind, but nobody holds it. The descriptor is opened
/// close-on-exec, so servers bench starts do not inherit it (they would keep the lock after bench died).
/// The holder's pid, host and start time are written into the file for the refusal message only; the
/// lock itself, not the text, decides.
public final class SessionLock: @unchecked Sendable {
    // @unchecked: the descriptor is written once at init and closed once in `release`, on the main path.

    /// Who holds a session, as its lock file says.
    public struct Holder: Sendable, Equatable, CustomStringConvertible {
        public var pid: Int32?
        public var host: String?
        public var since: String?

        public var description: String {
            var text = "bench pid \(pid.map(String.init) ?? "?")"
            if let host { text += " on \(host)" }
            if let since { text += " (since \(since))" }
            return text
        }

        /// Parses the `pid=… host=… since=…` line written by `acquire`; unknown or missing fields stay nil.
        static func parse(_ text: String) -> Holder {
            var holder = Holder()
            for field in text.split(whereSeparator: { $0 == " " || $0 == "\n" }) {
                let parts = field.split(separator: "=", maxSplits: 1).map(String.init)
                guard parts.count == 2 else { continue }
                switch parts[0] {
                case "pid": holder.pid = Int32(parts[1])
                case "host": holder.host = parts[1]
                case "since": holder.since = parts[1]
                default: continue
                }
            }
            return holder
        }
    }

    /// Why a lock was not taken.
    public enum Failure: Error, Equatable {
        /// Another live process holds it.
        case held(by: Holder)
        /// The folder or the lock file cannot be made or opened (read-only disk, permissions).
        case unavailable(path: String, reason: String)
    }

    public static let fileName = ".lock"

    public let url: URL
    private var fd: Int32

    private init(url: URL, fd: Int32) {
        self.url = url
        self.fd = fd
    }

    /// Takes the lock of `directory` (creating the folder), or says who holds it. Never waits.
    public static func acquire(directory: URL, host: String = ProcessInfo.processInfo.hostName, now: Date = Date()) -> Result<SessionLock, Failure> {
        let url = directory.appendingPathComponent(fileName)
        // A bench leaving an empty session removes the folder and its lock file; a lock taken on a file
        // unlinked meanwhile would guard nothing, so the file locked must still be the one at the path.
        for _ in 0..<10 {
            do {
                try FileWriting.createDirectory(directory)
            } catch {
                // The session folder asked for; the reason names the parent that failed, if it was one.
                let reason = error.path == directory.path ? error.reason : "\(error.path): \(error.reason)"
                return .failure(.unavailable(path: directory.path, reason: reason))
            }
            let fd = open(url.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
            if fd < 0 {
                if errno == ENOENT { continue }
                return .failure(.unavailable(path: url.path, reason: String(cString: strerror(errno))))
            }
            if flock(fd, LOCK_EX | LOCK_NB) != 0 {
                let code = errno
                let text = (try? String(contentsOf: url, encoding: .utf8)) ?? ""
                close(fd)
                if code == EWOULDBLOCK { return .failure(.held(by: Holder.parse(text))) }
                return .failure(.unavailable(path: url.path, reason: String(cString: strerror(code))))
            }
            var opened = stat()
            var atPath = stat()
            guard fstat(fd, &opened) == 0, stat(url.path, &atPath) == 0,
                  opened.st_ino == atPath.st_ino, opened.st_dev == atPath.st_dev else {
                close(fd)
                continue
            }
            let since = ISO8601DateFormatter().string(from: now)
            let line = "pid=\(getpid()) host=\(host) since=\(since)\n"
            // The text is a courtesy for the refusal message; a lock whose text could not be written still locks.
            if ftruncate(fd, 0) == 0 {
                _ = line.withCString { pwrite(fd, $0, strlen($0), 0) }
            }
            return .success(SessionLock(url: url, fd: fd))
        }
        return .failure(.unavailable(path: url.path, reason: "the lock file kept being replaced while it was being taken"))
    }

    /// Releases the lock. With `removeIfAlone`, a folder that holds nothing but the lock file goes too,
    /// so a session that recorded nothing leaves nothing behind.
    public func release(removeIfAlone: Bool) {
        guard fd >= 0 else { return }
        if removeIfAlone {
            let directory = url.deletingLastPathComponent()
            let contents = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
            if contents == [Self.fileName] {
                // Unlinked while still held, so no other bench can lock this file and then lose it.
                unlink(url.path)
                rmdir(directory.path)
            }
        }
        close(fd)
        fd = -1
    }

    deinit {
        if fd >= 0 { close(fd) }
    }
}
