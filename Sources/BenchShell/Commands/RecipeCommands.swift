import BenchCore
import Foundation

/// `server|client|monitor list|info` and `recipe new|check|show`: finding, reading and writing recipes.
enum RecipeCommands {
    static var all: [CommandSpec] {
        RecipeKind.allCases.flatMap { [list($0), info($0)] } + [new, check]
    }

    private static func area(_ kind: RecipeKind) -> CommandArea {
        switch kind {
        case .server: .servers
        case .client: .clients
        case .monitor: .monitors
        }
    }

    static func list(_ kind: RecipeKind) -> CommandSpec {
        CommandSpec([kind.rawValue, "list"], area: area(kind), abstract: "List the \(kind.rawValue) recipes and where each comes from",
                    discussion: "Recipes are looked up in --recipes DIR, then $BENCH_RECIPES (colon-separated), then ./recipes, then the recipes shipped with bench; the first one of a name wins and shadows the others.",
                    examples: ["\(kind.rawValue) list"]) { _, context in
            let entries = context.session.catalog.entries(kind)
            guard !entries.isEmpty else {
                let searched = context.session.catalog.directories.map { "\($0.url.path) (\($0.origin.label))" }
                context.print("no \(kind.rawValue) recipes found; searched: \(searched.joined(separator: ", "))")
                return
            }
            let rows = entries.map { entry -> [String] in
                let description = (try? RecipeLoader.load(file: entry.file, kind: kind).description) ?? "(invalid: see '\(kind.rawValue) info \(entry.name)')"
                let origin = entry.origin.label + (entry.shadowed.isEmpty ? "" : " (shadows \(entry.shadowed.count))")
                return [entry.name, origin, oneLine(description)]
            }
            context.table(["NAME", "FROM", "DESCRIPTION"], rows)
        }
    }

    static func info(_ kind: RecipeKind) -> CommandSpec {
        let nameArgument: ArgumentKey<String> = .one("NAME", "the recipe name", completion: .recipes(kind))
        return CommandSpec([kind.rawValue, "info"], area: area(kind), abstract: "Show a \(kind.rawValue) recipe with every field's effective value",
                           arguments: [nameArgument.spec],
                           examples: ["\(kind.rawValue) info \(exampleName(kind))"]) { invocation, context in
            let name = invocation[nameArgument]
            let entry = try context.session.catalog.entry(kind, named: name)
            let loaded: LoadedRecipe
            do {
                loaded = try context.session.catalog.load(kind, named: name)
            } catch let error as RecipeValidationError {
                throw BenchError("\(kind.rawValue) recipe '\(name)' is invalid:\n\(error.description)")
            }
            context.columns([
                ["name:", loaded.recipe.name],
                ["file:", DisplayPath.of(entry.file)],
                ["from:", entry.origin.label],
                ["sha256:", loaded.sha256],
            ] + entry.shadowed.map { ["shadows:", DisplayPath.of($0)] })
            context.print("")
            context.columns(loaded.recipe.summary.map { ["\($0.field):", $0.value] })
        }
    }

    /// `recipe new`'s arguments and options.
    private enum New {
        static let kind: ArgumentKey<RecipeKind> = .choice("KIND", "server, client or monitor")
        static let name: ArgumentKey<String> = .one("NAME", "the recipe name (also its file name)")
        static let dir: OptionKey<String> = .string("dir", "DIR", "recipe root to write into", default: "recipes", completion: .files)
        static let force: OptionKey<Bool> = .flag("force", "overwrite an existing file")
        static let clientKind: OptionKey<ClientKind?> = .choice("kind", "KIND", "client recipes: the protocol (default http)",
                                                                cases: RecipeTemplate.clientKinds)
    }

    static let new = CommandSpec(
        ["recipe", "new"], area: .recipes, abstract: "Write a commented recipe template to start from",
        discussion: "Writes DIR/servers|clients|monitors/NAME.yaml (DIR defaults to ./recipes). Every field is present with its default and a comment; the file passes 'recipe check' as written.",
        arguments: [New.kind.spec, New.name.spec],
        options: [New.dir.spec, New.force.spec, New.clientKind.spec],
        examples: ["recipe new server my-redis", "recipe new client my-load --dir ~/bench-recipes", "recipe new client my-chat --kind openai"],
        recording: .outside("it writes a recipe file, not a step of the experiment; the first recorded command that uses the recipe "
            + "records its hash and copies it into the session's recipes/ folder")
    ) { invocation, context in
        let kind = invocation[New.kind]
        let name = invocation[New.name]
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }), !name.hasPrefix(".") else {
            throw BenchError.usage("recipe new: NAME '\(name)' must be letters, digits, '-', '_' or '.' (it becomes the file name)")
        }
        let clientKind = invocation[New.clientKind]
        if clientKind != nil && kind != .client {
            throw BenchError.usage("recipe new: --kind is for client recipes (the protocol); a \(kind.rawValue) recipe has none")
        }
        let root = URL(fileURLWithPath: NSString(string: invocation[New.dir]).expandingTildeInPath)
        let file = root.appendingPathComponent(kind.folderName).appendingPathComponent("\(name).yaml")
        if FileManager.default.fileExists(atPath: file.path) && !invocation[New.force] {
            throw BenchError("recipe new: \(DisplayPath.of(file)) exists; use --force to overwrite it")
        }
        try FileWriting.writeAtomically(Data(RecipeTemplate.text(kind: kind, name: name, clientKind: clientKind).utf8), to: file)
        context.print("wrote \(DisplayPath.of(file)); check it with: recipe check \(DisplayPath.of(file))")
    }

    private static let checkFiles: ArgumentKey<[String]> = .oneOrMore("FILE", "recipe files, or names of known recipes", completion: .files)

    static let check = CommandSpec(
        ["recipe", "check"], area: .recipes, abstract: "Validate recipe files (or recipes by name) and report every error with file:line:column",
        arguments: [checkFiles.spec],
        examples: ["recipe check recipes/servers/redis.yaml", "recipe check recipes/*/*.yaml", "recipe check redis"]
    ) { invocation, context in
        var bad = 0
        let files = invocation[checkFiles]
        for given in files {
            let url: URL
            var kind: RecipeKind?
            if FileManager.default.fileExists(atPath: given) {
                url = URL(fileURLWithPath: given)
            } else if let (k, entry) = knownRecipe(named: given, in: context.session.catalog) {
                url = entry.file
                kind = k
            } else {
                context.console.error("\(given): no such file or recipe")
                bad += 1
                continue
            }
            do {
                let recipe = try RecipeLoader.load(file: url, displayPath: kind == nil ? given : DisplayPath.of(url), kind: kind)
                context.print("\(kind == nil ? given : DisplayPath.of(url)): ok (\(recipe.kind.rawValue) recipe '\(recipe.name)')")
            } catch let error as RecipeValidationError {
                bad += 1
                for diagnostic in error.diagnostics { context.console.printError("\(diagnostic.description)") }
            }
        }
        if bad > 0 { throw BenchError("recipe check: \(bad) of \(files.count) \(files.count == 1 ? "recipe has" : "recipes have") errors") }
    }

    /// A name that is a recipe of exactly one kind (server first, as names rarely clash).
    private static func knownRecipe(named name: String, in catalog: RecipeCatalog) -> (RecipeKind, RecipeEntry)? {
        for kind in RecipeKind.allCases { if let entry = try? catalog.entry(kind, named: name) { return (kind, entry) } }
        return nil
    }

    private static func exampleName(_ kind: RecipeKind) -> String {
        switch kind {
        case .server: "redis"
        case .client: "redis-get-set"
        case .monitor: "prometheus"
        }
    }


    private static func oneLine(_ text: String) -> String {
        let first = text.split(separator: "\n").first.map(String.init) ?? ""
        return first.count > 70 ? String(first.prefix(67)) + "..." : first
    }
}
