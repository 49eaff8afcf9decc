import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes that survive a crash at any moment: whole-file replacement by rename, durable appends by fsync.
public enum FileWriting {
    /// Replaces `url` with `data` atomically: a reader sees the old file or the new one, never half of it.
    ///
    /// The new content is written into an unnamed file (`O_TMPFILE`) that gets a name only once it is
    /// complete, so a bench killed mid-write leaves no partial file behind, not even a temporary one: a
    /// new file is linked under its name, an old one replaced by rename from a complete temporary (which
    /// a kill between the two leaves beside it, whole). Where the file system has no unnamed files (NFS),
    /// a named temporary is written instead.
    public static func writeAtomically(_ data: Data, to url: URL) throws {
        let directory = url.deletingLastPathComponent()
        try createDirectory(directory)
        let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp")
        let fd: Int32
        let unnamed: Bool
        let anonymous = open(directory.path, temporaryFileFlag | O_WRONLY | O_CLOEXEC, 0o644)
        if anonymous >= 0 {
            (fd, unnamed) = (anonymous, true)
        } else {
            (fd, unnamed) = (open(temporary.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644), false)
        }
        // Errors name the file the caller asked for; the temporary beside it is an implementation detail.
        guard fd >= 0 else { throw BenchError("cannot write \(url.path): \(String(cString: strerror(errno)))") }
        do {
            try writeAll(fd: fd, data: data, path: url.path)
            // A full disk can surface only here (delayed allocation, NFS): the old file must then stay.
            guard fsync(fd) == 0 else { throw BenchError("cannot write \(url.path): \(String(cString: strerror(errno)))") }
            if unnamed {
                let path = "/proc/self/fd/\(fd)"
                // A new file (a run's result, a recipe copy) gets its name once it is whole, and that is all.
                if linkat(AT_FDCWD, path, AT_FDCWD, url.path, AT_SYMLINK_FOLLOW) == 0 {
                    close(fd)
                    return
                }
                // An old one is replaced by rename, from a name the complete file takes first: linkat cannot replace.
                guard errno == EEXIST else { throw BenchError("cannot write \(url.path): \(String(cString: strerror(errno)))") }
                unlink(temporary.path)
                guard linkat(AT_FDCWD, path, AT_FDCWD, temporary.path, AT_SYMLINK_FOLLOW) == 0 else {
                    throw BenchError("cannot write \(url.path): \(String(cString: strerror(errno)))")
                }
            }
        } catch {
            close(fd)
            unlink(temporary.path)
            throw error
        }
        guard close(fd) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary.path)
            throw BenchError("cannot write \(url.path): \(reason)")
        }
        guard rename(temporary.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary.path)
            throw BenchError("cannot replace \(url.path): \(reason)")
        }
    }

    /// Linux's `O_TMPFILE` (`__O_TMPFILE | O_DIRECTORY`), a macro the Glibc module does not import.
    private static let temporaryFileFlag: Int32 = 0o20000000 | O_DIRECTORY

    /// `writeAtomically` for a path, with text written as UTF-8.
    public static func writeAtomically(_ text: String, to path: String) throws {
        try writeAtomically(Data(text.utf8), to: URL(fileURLWithPath: path))
    }

    /// `writeAtomically` for a path.
    public static func writeAtomically(_ data: Data, to path: String) throws {
        try writeAtomically(data, to: URL(fileURLWithPath: path))
    }

    /// A folder that could not be created: which one (the first missing one that failed) and why.
    public struct FolderError: Error, CustomStringConvertible, Sendable {
        public let path: String
        /// The system's reason (`Read-only file system`).
        public let reason: String
        public var description: String { "cannot create folder \(path): \(reason)" }
    }

    /// Creates `url` and its missing parents; the error names the folder and the system's reason
    /// (`cannot create folder …: Read-only file system`), where Foundation's would not.
    public static func createDirectory(_ url: URL) throws(FolderError) {
        try createDirectory(atPath: url.path)
    }

    /// `createDirectory` for a path.
    public static func createDirectory(atPath path: String) throws(FolderError) {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            if isDirectory.boolValue { return }
            throw FolderError(path: path, reason: "a file of that name is in the way")
        }
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty && parent != path { try createDirectory(atPath: parent) }
        // EEXIST: another process (a job on a shared file system) made it meanwhile.
        guard mkdir(path, 0o755) == 0 || errno == EEXIST else {
            throw FolderError(path: path, reason: String(cString: strerror(errno)))
        }
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
