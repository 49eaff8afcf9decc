import BenchCore

/// Every command bench knows, in one registry.
public enum BenchCommands {
    public static func registry() -> CommandRegistry {
        CommandRegistry(HelpCommands.all + BuiltinCommands.all + SessionCommands.all + RecipeCommands.all + ServerCommands.all + ClientCommands.all + MonitorCommands.all)
    }

    /// Completion values for dynamic sources: recipe names, handles and aliases, settings, commands.
    @MainActor
    public static func completionValues(session: Session, registry: CommandRegistry) -> (CompletionSource) -> [String] {
        { source in
            switch source {
            case .none, .files: return []
            case .recipes(let kind): return session.catalog.names(kind)
            case .handles(let kind):
                return session.handles.entries(kind).flatMap { [$0.handle.description] + ($0.alias.map { [$0] } ?? []) }
            case .choices(let values): return values
            case .commands: return registry.topLevelWords + ["metrics"]
            case .settings: return SessionSettings.keys.map(\.name)
            }
        }
    }
}
