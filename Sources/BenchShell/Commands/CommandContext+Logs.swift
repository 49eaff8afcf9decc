import BenchCore
import BenchPlacement
import Foundation

/// Printing a log file: `server logs` and `monitor logs` alike.
extension CommandContext {
    /// Prints the log at `path` (or its last `tail` lines), then with `follow` new lines until Ctrl-C.
    /// `owner` (`s1`, `m1`) names whose log is missing in the error.
    func showLog(path: String, owner: Handle, tail: Int?, follow: Bool) async throws {
        guard let handleForReading = FileHandle(forReadingAtPath: path) else {
            throw BenchError("\(owner): no log at \(DisplayPath.of(URL(fileURLWithPath: path)))")
        }
        defer { try? handleForReading.close() }
        if let tail {
            for line in LogTail.lastLines(path: path, count: tail) { console.print(line) }
            _ = try handleForReading.seekToEnd()
        } else {
            while let chunk = try handleForReading.read(upToCount: 1 << 16), !chunk.isEmpty {
                console.write(String(decoding: chunk, as: UTF8.self))
            }
        }
        guard follow else { return }
        // Ctrl-C is how a follow ends: not an error.
        interruptEndsNormally = true
        console.info("-- following \(DisplayPath.of(URL(fileURLWithPath: path))); Ctrl-C to stop --")
        while !Task.isCancelled {
            if let chunk = try handleForReading.read(upToCount: 1 << 16), !chunk.isEmpty {
                console.write(String(decoding: chunk, as: UTF8.self))
            } else {
                try? await Task.sleep(for: .milliseconds(200))
            }
        }
    }
}
