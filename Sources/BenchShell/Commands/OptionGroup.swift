/// Options that belong together (the SLURM ones of a command): declared once, listed in the spec and checked as a set.
///
/// Keys of different value types cannot share an array, so the group holds their specs; a command
/// appends `group.specs` to its options and asks `group.firstGiven(in:)` for checks such as
/// "--nodes is for SLURM", so adding an option to the group updates both.
public struct OptionGroup: Sendable {
    public let specs: [OptionSpec]

    public init(_ specs: [OptionSpec]) { self.specs = specs }

    public var names: [String] { specs.map(\.name) }

    public func contains(_ option: OptionSpec) -> Bool { specs.contains { $0.name == option.name } }

    /// The first option of the group, in declaration order, that the line gave.
    public func firstGiven(in invocation: Invocation) -> OptionSpec? {
        specs.first { invocation.options[$0.name] != nil }
    }

    /// The options of `options` that are not in the group (a command that shares another's options but not these).
    public func removing(from options: [OptionSpec]) -> [OptionSpec] {
        options.filter { !contains($0) }
    }
}
