import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// A small tmpfs of the test's own, to run out of space or turn read-only for real (root only).
final class ScratchMount {
    let directory: URL
    private var layers = 0
    private var fillers = 0

    /// Mounts a tmpfs of `kilobytes` at `directory` (created); `readOnly` mounts it read-only from the start.
    init(at directory: URL, kilobytes: Int, readOnly: Bool = false) throws {
        guard geteuid() == 0 else { throw XCTSkip("mounting a tmpfs needs root (CI machines of this project run as root)") }
        self.directory = directory
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try Self.mount(["-t", "tmpfs", "-o", "size=\(kilobytes)k\(readOnly ? ",ro" : ""),mode=0755", "tmpfs", directory.path])
        layers = 1
    }

    /// Makes the folder read-only from now on for new opens, with a read-only bind mount over it.
    /// (Remounting the tmpfs itself read-only is refused while bench holds its script open for writing,
    /// and files opened before keep working either way, as on a real file system turned read-only.)
    func makeReadOnly() throws {
        try Self.mount(["--bind", directory.path, directory.path])
        layers += 1
        try Self.mount(["-o", "remount,bind,ro", directory.path])
    }

    /// Fills the file system: a filler file grows until the next block cannot be had.
    func fill() {
        let path = directory.appendingPathComponent("filler-\(fillers)").path
        fillers += 1
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { return }
        let block = [UInt8](repeating: 0, count: 4096)
        while write(fd, block, block.count) > 0 {}
        close(fd)
    }

    /// Frees what `fill` took.
    func unfill() {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [] where name.hasPrefix("filler-") {
            unlink(directory.appendingPathComponent(name).path)
        }
    }

    /// Unmounts every layer (lazily: a process that still has a file open does not keep it).
    func unmount() {
        while layers > 0 {
            _ = try? Self.mount(["-l", directory.path], program: "/bin/umount")
            layers -= 1
        }
    }

    deinit { unmount() }

    /// A mount or unmount that failed, with what the command said: for a root test, a failure, not a skip.
    struct MountError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    private static func mount(_ arguments: [String], program: String = "/bin/mount") throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            throw MountError("\(program) \(arguments.joined(separator: " ")): \(message)")
        }
    }
}
