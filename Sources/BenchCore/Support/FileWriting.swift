import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes that survive a crash at any moment: whole-file replacement by rename, durable appends by fsync.
public enum FileWriting {
    /// Replaces `url` with `data` atomically: a reader sees the old file or the new one, never half of it.
    public static func writeAtomically(_ data: Data, to url: URL) throws {
        let directory = url.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp")
        let fd = open(temporary.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        // Errors name the file the caller asked for; the temporary beside it is an implementation detail.
        guard fd >= 0 else { throw BenchError("cannot write \(url.path): \(String(cString: strerror(errno)))") }
        do {
            try writeAll(fd: fd, data: data, path: url.path)
            fsync(fd)
            close(fd)
        } catch {
            close(fd)
            unlink(temporary.path)
            throw error
        }
        guard rename(temporary.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary.path)
            throw BenchError("cannot replace \(url.path): \(reason)")
        }
    }

    /// `writeAtomically` for a path, with text written as UTF-8.
    public static func writeAtomically(_ text: String, to path: String) throws {
        try writeAtomically(Data(text.utf8), to: URL(fileURLWithPath: path))
    }

    /// `writeAtomically` for a path.
    public static func writeAtomically(_ data: Data, to path: String) throws {
        try writeAtomically(data, to: URL(fileURLWithPath: path))
    }

    static func writeAll(fd: Int32, data: Data, path: String) throws {
        try data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw BenchError("cannot write \(path): \(String(cString: strerror(errno)))")
                }
                offset += n
            }
        }
    }
}

/// A file opened for appending whose every `append` reaches the disk before it returns.
public final class DurableAppendFile: @unchecked Sendable {
    // @unchecked: the descriptor is only used under `lock`.
    public let url: URL
    private let fd: Int32
    private let lock = NSLock()

    public init(url: URL) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        fd = open(url.path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw BenchError("cannot open \(url.path): \(String(cString: strerror(errno)))") }
        self.url = url
    }

    /// Appends `text` and fsyncs, so a crash right after this call keeps it.
    public func append(_ text: String) throws {
        lock.lock()
        defer { lock.unlock() }
        try FileWriting.writeAll(fd: fd, data: Data(text.utf8), path: url.path)
        fsync(fd)
    }

    deinit { close(fd) }
}
