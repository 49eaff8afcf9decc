/// The three kinds of recipe; each lives in its own folder of a recipe directory.
public enum RecipeKind: String, CaseIterable, Sendable {
    case server, client, monitor

    /// The folder under a recipe directory that holds recipes of this kind.
    public var folderName: String {
        switch self {
        case .server: return "servers"
        case .client: return "clients"
        case .monitor: return "monitors"
        }
    }

    /// The kind whose folder is `folderName`, if any.
    public init?(folderName: String) {
        guard let kind = RecipeKind.allCases.first(where: { $0.folderName == folderName }) else { return nil }
        self = kind
    }
}

/// Where a recipe directory came from; also its rank in the search order (earlier shadows later).
public enum RecipeOrigin: Sendable, Equatable {
    case option, environment, workingDirectory, shipped
    /// Given as a file path where a name goes (`client run ./mychat.yaml`).
    case file

    /// How `server list` names the origin.
    public var label: String {
        switch self {
        case .option: return "--recipes"
        case .environment: return "$BENCH_RECIPES"
        case .workingDirectory: return "./recipes"
        case .shipped: return "shipped"
        case .file: return "file"
        }
    }
}
