import Foundation

/// A folder holding `servers/`, `clients/` and `monitors/` recipe folders.
public struct RecipeDirectory: Sendable, Equatable {
    public let url: URL
    public let origin: RecipeOrigin

    public init(url: URL, origin: RecipeOrigin) {
        self.url = url
        self.origin = origin
    }
}

/// One recipe found by name: the file that wins, and the same-name files it hides.
public struct RecipeEntry: Sendable, Equatable {
    public let name: String
    public let kind: RecipeKind
    public let file: URL
    public let origin: RecipeOrigin
    /// Files of the same name and kind later in the search order, hidden by `file`.
    public let shadowed: [URL]

    public init(name: String, kind: RecipeKind, file: URL, origin: RecipeOrigin, shadowed: [URL] = []) {
        self.name = name
        self.kind = kind
        self.file = file
        self.origin = origin
        self.shadowed = shadowed
    }
}

/// A recipe file read and validated, with the hash recorded in session headers.
public struct LoadedRecipe: Sendable {
    public let entry: RecipeEntry
    /// The file's text exactly as read.
    public let text: String
    /// SHA-256 of the file's bytes, lowercase hex.
    public let sha256: String
    public let recipe: Recipe

    public init(entry: RecipeEntry, text: String, sha256: String, recipe: Recipe) {
        self.entry = entry
        self.text = text
        self.sha256 = sha256
        self.recipe = recipe
    }
}

/// Finds recipes by kind and name across the recipe directories, earlier directories shadowing later ones.
public struct RecipeCatalog: Sendable {
    /// In search order.
    public let directories: [RecipeDirectory]

    public init(directories: [RecipeDirectory]) {
        self.directories = directories
    }

    /// The standard search order: each `--recipes DIR`, then `$BENCH_RECIPES` (colon-separated), then
    /// `<cwd>/recipes` when it exists, then the shipped recipes. Relative paths are taken from
    /// `workingDirectory`; a folder reached twice is kept at its first place only.
    public static func standard(optionDirectories: [String], environment: [String: String], workingDirectory: URL) -> RecipeCatalog {
        var candidates: [RecipeDirectory] = []
        func resolve(_ path: String) -> URL {
            let expanded = (path as NSString).expandingTildeInPath
            return expanded.hasPrefix("/")
                ? URL(fileURLWithPath: expanded, isDirectory: true)
                : workingDirectory.appendingPathComponent(expanded, isDirectory: true)
        }
        for path in optionDirectories where !path.isEmpty {
            candidates.append(RecipeDirectory(url: resolve(path), origin: .option))
        }
        for path in (environment["BENCH_RECIPES"] ?? "").split(separator: ":") where !path.isEmpty {
            candidates.append(RecipeDirectory(url: resolve(String(path)), origin: .environment))
        }
        let local = workingDirectory.appendingPathComponent("recipes", isDirectory: true)
        if isDirectory(local) {
            candidates.append(RecipeDirectory(url: local, origin: .workingDirectory))
        }
        if let shipped = shippedDirectory(environment: environment) {
            candidates.append(RecipeDirectory(url: shipped, origin: .shipped))
        }
        var seen = Set<String>()
        let unique = candidates.filter { seen.insert(canonicalPath($0.url)).inserted }
        return RecipeCatalog(directories: unique)
    }

    /// The recipes installed with bench: `$BENCH_SHIPPED_RECIPES` if set, else
    /// `<dir of executable>/../share/bench/recipes` if it exists, else this source tree's `recipes/`.
    public static var shippedDirectory: URL? {
        shippedDirectory(environment: ProcessInfo.processInfo.environment)
    }

    static func shippedDirectory(environment: [String: String]) -> URL? {
        if let path = environment["BENCH_SHIPPED_RECIPES"], !path.isEmpty {
            return URL(fileURLWithPath: (path as NSString).expandingTildeInPath, isDirectory: true)
        }
        if let executable = Bundle.main.executableURL?.resolvingSymlinksInPath() {
            let installed = executable.deletingLastPathComponent()
                .appendingPathComponent("../share/bench/recipes", isDirectory: true).standardizedFileURL
            if isDirectory(installed) { return installed }
        }
        // Sources/BenchCore/Recipes/RecipeCatalog.swift -> <repository>/recipes
        let repository = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let source = repository.appendingPathComponent("recipes", isDirectory: true)
        return isDirectory(source) ? source : nil
    }

    /// Every recipe of `kind`, sorted by name; the first directory holding a name wins.
    public func entries(_ kind: RecipeKind) -> [RecipeEntry] {
        var order: [String] = []
        var found: [String: (file: URL, origin: RecipeOrigin, shadowed: [URL])] = [:]
        for directory in directories {
            for (name, file) in recipeFiles(kind, in: directory) {
                if var existing = found[name] {
                    existing.shadowed.append(file)
                    found[name] = existing
                } else {
                    found[name] = (file, directory.origin, [])
                    order.append(name)
                }
            }
        }
        return order.sorted().map { name in
            let hit = found[name]!
            return RecipeEntry(name: name, kind: kind, file: hit.file, origin: hit.origin, shadowed: hit.shadowed)
        }
    }

    /// The names of every recipe of `kind`, sorted; a directory listing only, for tab completion.
    public func names(_ kind: RecipeKind) -> [String] {
        var names = Set<String>()
        for directory in directories {
            for (name, _) in recipeFiles(kind, in: directory) { names.insert(name) }
        }
        return names.sorted()
    }

    /// Whether `given` is meant as a file path rather than a recipe name: it has a folder or a YAML extension.
    public static func isPath(_ given: String) -> Bool {
        given.contains("/") || given.hasSuffix(".yaml") || given.hasSuffix(".yml")
    }

    /// The recipe `name` of `kind`, or a BenchError suggesting the nearest name. A file path works
    /// wherever a name does (`client run ./mychat.yaml`), without restarting bench with `--recipes`;
    /// its name is the path as given, so the script and a replay find the same file.
    public func entry(_ kind: RecipeKind, named name: String) throws -> RecipeEntry {
        if Self.isPath(name) {
            let file = URL(fileURLWithPath: NSString(string: name).expandingTildeInPath)
            guard !Self.isDirectory(file), FileManager.default.fileExists(atPath: file.path) else {
                throw BenchError("no \(kind.rawValue) recipe file at \(name)\(FileManager.default.fileExists(atPath: file.path) ? " (it is a folder)" : "")")
            }
            return RecipeEntry(name: name, kind: kind, file: file, origin: .file)
        }
        let all = entries(kind)
        if let hit = all.first(where: { $0.name == name }) { return hit }
        let list = "see '\(kind.rawValue) list'"
        if all.isEmpty {
            let searched = directories.map { $0.url.appendingPathComponent(kind.folderName).path }
            let places = searched.isEmpty ? "no recipe directories" : searched.joined(separator: ", ")
            throw BenchError("unknown \(kind.rawValue) recipe '\(name)' (no \(kind.rawValue) recipes found in \(places))")
        }
        throw BenchError("unknown \(kind.rawValue) recipe '\(name)'\(Suggestions.didYouMean(name, in: all.map(\.name))) (\(list))")
    }

    /// Finds, reads and validates the recipe `name` of `kind`.
    public func load(_ kind: RecipeKind, named name: String) throws -> LoadedRecipe {
        let entry = try entry(kind, named: name)
        let shown = DisplayPath.of(entry.file)
        let data: Data
        do {
            data = try Data(contentsOf: entry.file)
        } catch {
            throw BenchError("cannot read recipe \(shown): \(RecipeLoader.describeReadError(error))")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw RecipeValidationError(diagnostics: [RecipeDiagnostic(file: shown, line: 1, column: 1, field: "", message: "not UTF-8 text")])
        }
        let recipe = try RecipeLoader.parse(text: text, file: shown, kind: kind)
        return LoadedRecipe(entry: entry, text: text, sha256: SHA256.hex(data), recipe: recipe)
    }

    /// `NAME.yaml` (then `NAME.yml`) files of one kind in one directory, sorted, as (name, file).
    private func recipeFiles(_ kind: RecipeKind, in directory: RecipeDirectory) -> [(String, URL)] {
        let folder = directory.url.appendingPathComponent(kind.folderName, isDirectory: true)
        guard let files = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return [] }
        return files.sorted().compactMap { file in
            guard !file.hasPrefix("."), let name = RecipeLoader.recipeName(forFile: file) else { return nil }
            return (name, folder.appendingPathComponent(file, isDirectory: false))
        }
    }

    private static func isDirectory(_ url: URL) -> Bool {
        var directory: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &directory) && directory.boolValue
    }

    private static func canonicalPath(_ url: URL) -> String {
        url.standardizedFileURL.resolvingSymlinksInPath().path
    }
}
