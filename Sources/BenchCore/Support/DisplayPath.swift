import Foundation

/// A path as messages show it: relative to the working directory when inside it, else absolute.
public enum DisplayPath {
    public static func of(_ url: URL) -> String {
        let path = url.standardizedFileURL.path
        let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).standardizedFileURL.path
        // From `/` every path is inside: shown whole, not without its leading slash.
        guard cwd != "/" else { return path }
        let prefix = cwd.hasSuffix("/") ? cwd : cwd + "/"
        return path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path
    }

    public static func of(_ path: String) -> String { of(URL(fileURLWithPath: path)) }
}
