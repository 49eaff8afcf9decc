import BenchCore
import Foundation

/// Writes files so a reader (Prometheus' file_sd, a user's tail) never sees half of one:
/// a temporary file in the same folder, then rename.
enum AtomicFile {
    static func write(_ text: String, to path: String) throws {
        try write(Data(text.utf8), to: path)
    }

    static func write(_ data: Data, to path: String) throws {
        do {
            try data.write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw BenchError("cannot write \(path): \(error.localizedDescription)")
        }
    }
}
