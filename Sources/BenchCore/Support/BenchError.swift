/// An error a user can act on: the message names the place and what would be valid.
public struct BenchError: Error, CustomStringConvertible, Sendable, Equatable {
    /// How the error should end a non-interactive run.
    public enum Kind: Sendable, Equatable {
        /// The command line itself was wrong (unknown option, bad value): exit code 2 for bench's own argv.
        case usage
        /// The command was well formed but could not be carried out.
        case failure
        /// The user interrupted the command (Ctrl-C).
        case interrupted
    }

    public var kind: Kind
    public var message: String

    public init(_ message: String, kind: Kind = .failure) {
        self.message = message
        self.kind = kind
    }

    public static func usage(_ message: String) -> BenchError { BenchError(message, kind: .usage) }
    public static let interrupted = BenchError("interrupted", kind: .interrupted)

    public var description: String { message }
}
