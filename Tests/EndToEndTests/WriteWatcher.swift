import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Watches folders with inotify and kills a process the moment it touches a file there.
///
/// The kill follows the write itself by microseconds (the first event of an atomic write is its
/// temporary appearing), so it lands inside writes far more often than a kill after a fixed delay.
final class WriteWatcher {
    private let fd: Int32
    private var folders: [Int32: URL] = [:]
    private let mask = UInt32(IN_CREATE | IN_MODIFY | IN_MOVED_TO | IN_CLOSE_WRITE)

    init(folders watched: [URL]) throws {
        fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        for folder in watched {
            guard watch(folder) else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        }
    }

    private func watch(_ folder: URL) -> Bool {
        let wd = inotify_add_watch(fd, folder.path, mask)
        if wd >= 0 { folders[wd] = folder }
        return wd >= 0
    }

    deinit { close(fd) }

    /// Waits for the `occurrence`-th event on a file whose name contains `fragment`, then sends
    /// SIGKILL to `pid` at once. Returns the event's `folder/name`, or nil after `timeout` seconds
    /// (then nothing was sent).
    func kill(_ pid: pid_t, onEvent occurrence: Int, naming fragment: String, timeout: TimeInterval) -> String? {
        let deadline = Date().addingTimeInterval(timeout)
        var seen = 0
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while Date() < deadline {
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 50) > 0 else { continue }
            let n = read(fd, &buffer, buffer.count)
            guard n > 0 else { continue }
            var offset = 0
            while offset + MemoryLayout<inotify_event>.size <= n {
                let (wd, eventMask, length) = buffer.withUnsafeBytes { raw -> (Int32, UInt32, Int) in
                    let event = raw.loadUnaligned(fromByteOffset: offset, as: inotify_event.self)
                    return (event.wd, event.mask, Int(event.len))
                }
                let nameStart = offset + MemoryLayout<inotify_event>.size
                let nameBytes = buffer[nameStart..<min(nameStart + length, n)].prefix { $0 != 0 }
                let name = String(decoding: nameBytes, as: UTF8.self)
                offset = nameStart + length
                // A folder made meanwhile (runs/) is watched too; what is written in it before the watch is missed.
                if eventMask & UInt32(IN_ISDIR) != 0, eventMask & UInt32(IN_CREATE) != 0, let parent = folders[wd] {
                    _ = watch(parent.appendingPathComponent(name))
                }
                guard name.contains(fragment) else { continue }
                seen += 1
                if seen == occurrence {
                    Glibc.kill(pid, SIGKILL)
                    return "\(folders[wd]?.lastPathComponent ?? "?")/\(name)"
                }
            }
        }
        return nil
    }
}
