import Glibc

/// Reads the end (or a later part) of a log file without loading all of it.
public enum LogTail {
    /// The last `count` lines of the file, oldest first; [] when it is missing or empty.
    ///
    /// Reads at most the last `maxBytes`; a line cut by that limit is dropped rather than shown
    /// half. For the log excerpt in errors and `server logs --tail N`.
    public static func lastLines(path: String, count: Int, maxBytes: Int = 1 << 20) -> [String] {
        guard count > 0, let size = size(of: path) else { return [] }
        let start = max(0, size - Int64(maxBytes))
        guard let bytes = readBytes(path: path, from: start, maxBytes: maxBytes) else { return [] }
        var lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        if start > 0 && lines.count > 1 { lines.removeFirst() }  // starts mid-line
        if lines.last?.isEmpty == true { lines.removeLast() }   // the file ends with a newline
        return lines.suffix(count).map { line in
            var text = String(decoding: line, as: UTF8.self)
            if text.hasSuffix("\r") { text.removeLast() }
            return text
        }
    }

    /// The file's size in bytes, or nil when it does not exist: record it before a start to
    /// read only that start's output later.
    public static func size(of path: String) -> Int64? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Int64(info.st_size)
    }

    /// The complete lines written after `offset`, and the offset just past the last of them
    /// (a trailing partial line is left for the next call): for `server logs --follow`.
    public static func newLines(path: String, from offset: Int64, maxBytes: Int = 1 << 20) -> (lines: [String], nextOffset: Int64) {
        guard let bytes = readBytes(path: path, from: offset, maxBytes: maxBytes),
              let lastNewline = bytes.lastIndex(of: UInt8(ascii: "\n")) else { return ([], offset) }
        let lines = bytes[..<lastNewline].split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
            .map { String(decoding: $0, as: UTF8.self) }
        return (lines, offset + Int64(lastNewline + 1))
    }

    /// The text after `offset` (at most the last `maxBytes` of it), or nil when the file is missing.
    public static func read(path: String, from offset: Int64 = 0, maxBytes: Int = 1 << 20) -> String? {
        guard let size = size(of: path) else { return nil }
        let start = max(offset, size - Int64(maxBytes))
        return readBytes(path: path, from: start, maxBytes: maxBytes).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Up to `maxBytes` bytes from `offset`.
    static func readBytes(path: String, from offset: Int64, maxBytes: Int) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: min(max(maxBytes, 1), 1 << 16))
        var position = offset
        while result.count < maxBytes {
            let wanted = min(buffer.count, maxBytes - result.count)
            let count = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, wanted, off_t(position)) }
            if count < 0 {
                if errno == EINTR { continue }
                break
            }
            if count == 0 { break }
            result.append(contentsOf: buffer[0..<count])
            position += Int64(count)
        }
        return result
    }
}
