import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A file opened for appending whose every `append` reaches the disk before it returns.
public final class DurableAppendFile: @unchecked Sendable {
    // @unchecked: the descriptor is only used under `lock`.
    public let url: URL
    private let fd: Int32
    private let lock = NSLock()

    public init(url: URL) throws {
        try FileWriting.createDirectory(url.deletingLastPathComponent())
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
