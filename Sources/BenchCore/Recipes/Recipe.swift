/// A validated recipe of any kind.
public enum Recipe: Sendable {
    case server(ServerRecipe)
    case client(ClientRecipe)
    case monitor(MonitorRecipe)

    public var name: String {
        switch self {
        case .server(let recipe): return recipe.name
        case .client(let recipe): return recipe.name
        case .monitor(let recipe): return recipe.name
        }
    }

    public var description: String {
        switch self {
        case .server(let recipe): return recipe.description
        case .client(let recipe): return recipe.description
        case .monitor(let recipe): return recipe.description
        }
    }

    public var kind: RecipeKind {
        switch self {
        case .server: return .server
        case .client: return .client
        case .monitor: return .monitor
        }
    }

    public var server: ServerRecipe? {
        if case .server(let recipe) = self { return recipe }
        return nil
    }

    public var client: ClientRecipe? {
        if case .client(let recipe) = self { return recipe }
        return nil
    }

    public var monitor: MonitorRecipe? {
        if case .monitor(let recipe) = self { return recipe }
        return nil
    }
}
