import BenchCore
import Glibc

/// Finds the file a program name refers to, the way `execvp` would, but with a given `PATH`.
///
/// We resolve ourselves instead of using `posix_spawnp` so that the child's own `PATH` (from the
/// recipe) is searched rather than bench's, and so that a missing or non-executable program gives
/// a clear message before anything is started.
public enum ExecutableResolver {
    /// The search path used when the environment has no `PATH` (glibc's own default, less `.`).
    public static let defaultSearchPath = "/usr/local/bin:/usr/bin:/bin"

    /// The absolute (or working-directory-relative made absolute) path to execute for `name`.
    ///
    /// - A name with a slash is taken as a path, relative to `workingDirectory` when not absolute.
    /// - A name without a slash is searched in `environment["PATH"]`; empty entries are skipped
    ///   (the legacy "current directory" meaning is a foot-gun for services).
    /// - Throws `BenchError("cannot start 'NAME': …")` naming the searched path or the problem.
    public static func resolve(_ name: String, environment: [String: String],
                               workingDirectory: String) throws -> String {
        guard !name.isEmpty else { throw BenchError("cannot start a process: the command is empty") }
        if name.contains("/") {
            let path = name.hasPrefix("/") ? name : joined(workingDirectory, name)
            switch check(path) {
            case .executable: return path
            case .missing: throw BenchError("cannot start '\(name)': \(path) does not exist")
            case .directory: throw BenchError("cannot start '\(name)': \(path) is a directory")
            case .notExecutable: throw BenchError("cannot start '\(name)': \(path) is not executable")
            }
        }
        let searchPath = environment["PATH"] ?? defaultSearchPath
        var nonExecutable: String?
        for directory in searchPath.split(separator: ":", omittingEmptySubsequences: true) {
            let base = directory.hasPrefix("/") ? String(directory) : joined(workingDirectory, String(directory))
            let candidate = joined(base, name)
            switch check(candidate) {
            case .executable: return candidate
            // Like execvp, keep looking after a non-executable match, but report it if nothing else is found.
            case .notExecutable: nonExecutable = nonExecutable ?? candidate
            case .missing, .directory: continue
            }
        }
        if let nonExecutable {
            throw BenchError("cannot start '\(name)': \(nonExecutable) is not executable")
        }
        throw BenchError("cannot start '\(name)': not found in PATH (\(searchPath))")
    }

    private enum FileCheck { case executable, missing, directory, notExecutable }

    private static func check(_ path: String) -> FileCheck {
        var info = stat()
        guard stat(path, &info) == 0 else { return .missing }
        if (info.st_mode & S_IFMT) == S_IFDIR { return .directory }
        // access(X_OK) uses the real uid, which is what exec checks for us (no setuid here).
        return access(path, X_OK) == 0 ? .executable : .notExecutable
    }

    static func joined(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }
}
