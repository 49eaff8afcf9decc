import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A file opened for appending whose every `append` reaches the disk before it returns, whole or not at all.
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
    ///
    /// A write that fails part-way (a full disk takes the first bytes and refuses the rest) is cut
    /// back off: a torn line would swallow the next one appended after it (`# failed: …server stop s1`).
    public func append(_ text: String) throws {
        lock.lock()
        defer { lock.unlock() }
        var status = stat()
        let before: off_t? = fstat(fd, &status) == 0 ? status.st_size : nil
        do {
            try FileWriting.writeAll(fd: fd, data: Data(text.utf8), path: url.path)
            guard fsync(fd) == 0 else { throw BenchError("cannot write \(url.path): \(String(cString: strerror(errno)))") }
        } catch {
            if let before { ftruncate(fd, before) }
            throw error
        }
    }

    deinit { close(fd) }
}
