/// One problem in a recipe file, located at a line and column and named by its field.
public struct RecipeDiagnostic: Sendable, Equatable, CustomStringConvertible {
    /// The file as the user should see it (as given to the loader).
    public let file: String
    /// 1-based line.
    public let line: Int
    /// 1-based column, counted in Unicode scalars.
    public let column: Int
    /// Dotted path of the field (`readiness.port`, `service.command[2]`); empty for the whole file.
    public let field: String
    public let message: String

    public init(file: String, line: Int, column: Int, field: String, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.field = field
        self.message = message
    }

    /// `recipes/servers/redis.yaml:7:3: ports.main: <message>`.
    public var description: String {
        field.isEmpty
            ? "\(file):\(line):\(column): \(message)"
            : "\(file):\(line):\(column): \(field): \(message)"
    }
}

/// Every problem found in one recipe file, in file order.
public struct RecipeValidationError: Error, Sendable, CustomStringConvertible {
    public let diagnostics: [RecipeDiagnostic]

    public init(diagnostics: [RecipeDiagnostic]) {
        self.diagnostics = diagnostics
    }

    /// One diagnostic per line.
    public var description: String {
        diagnostics.map(\.description).joined(separator: "\n")
    }
}
