/// Everything needed to start one long-lived child process.
///
/// A recipe `script` is run by the caller as `["/bin/sh", "-c", body]`; a `command` as its argv.
public struct LaunchSpec: Sendable, Equatable {
    /// The program and its arguments. A first word without a slash is looked up in `PATH` of
    /// `environment` (not of bench's own environment), so a recipe's `env.PATH` takes effect.
    public var argv: [String]
    /// The complete environment of the child: nothing of bench's own environment is inherited.
    public var environment: [String: String]
    /// The child's current directory; relative program paths are resolved against it.
    public var workingDirectory: String
    /// Standard output is appended to this file (created when missing).
    public var stdoutPath: String
    /// Standard error is appended to this file (created when missing); may equal `stdoutPath`.
    public var stderrPath: String

    public init(argv: [String], environment: [String: String], workingDirectory: String,
                stdoutPath: String, stderrPath: String) {
        self.argv = argv
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.stdoutPath = stdoutPath
        self.stderrPath = stderrPath
    }
}
