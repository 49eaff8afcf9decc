import XCTest
@testable import BenchCore

/// Search order, shadowing, names and "did you mean" across recipe directories.
final class RecipeCatalogTests: XCTestCase {
    private var root: URL!

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("bench-recipes-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: root)
    }

    /// Writes a minimal valid server recipe `name` into `<dir>/servers/`.
    @discardableResult
    private func writeServer(_ name: String, in dir: String, description: String, ext: String = "yaml") throws -> URL {
        let folder = root.appendingPathComponent(dir).appendingPathComponent("servers")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let file = folder.appendingPathComponent("\(name).\(ext)")
        try "name: \(name)\ndescription: \(description)\nservice:\n  command: [sleep, \"1000\"]\n".write(to: file, atomically: true, encoding: .utf8)
        return file
    }

    func testStandardSearchOrderAndShadowing() throws {
        let optionFile = try writeServer("redis", in: "opt", description: "from --recipes")
        let envFile = try writeServer("redis", in: "env", description: "from env")
        try writeServer("memcached", in: "env2", description: "from env2")
        let cwdFile = try writeServer("redis", in: "cwd/recipes", description: "from cwd")
        try writeServer("nginx", in: "cwd/recipes", description: "local nginx")
        let shippedFile = try writeServer("redis", in: "shipped", description: "shipped")
        try writeServer("postgres", in: "shipped", description: "shipped postgres")

        let catalog = RecipeCatalog.standard(
            optionDirectories: [root.appendingPathComponent("opt").path],
            environment: ["BENCH_RECIPES": "\(root.path)/env:\(root.path)/env2:",
                          "BENCH_SHIPPED_RECIPES": root.appendingPathComponent("shipped").path],
            workingDirectory: root.appendingPathComponent("cwd"))
        XCTAssertEqual(catalog.directories.map(\.origin), [.option, .environment, .environment, .workingDirectory, .shipped])
        XCTAssertEqual(catalog.directories.map(\.origin.label), ["--recipes", "$BENCH_RECIPES", "$BENCH_RECIPES", "./recipes", "shipped"])

        let entries = catalog.entries(.server)
        XCTAssertEqual(entries.map(\.name), ["memcached", "nginx", "postgres", "redis"])
        let redis = try XCTUnwrap(entries.last)
        XCTAssertEqual(redis.file.path, optionFile.path)
        XCTAssertEqual(redis.origin, .option)
        XCTAssertEqual(redis.shadowed.map(\.path), [envFile.path, cwdFile.path, shippedFile.path])
        XCTAssertEqual(entries.map(\.origin), [.environment, .workingDirectory, .shipped, .option])
        XCTAssertEqual(entries[0].shadowed, [])

        XCTAssertEqual(try catalog.load(.server, named: "redis").recipe.description, "from --recipes")
        XCTAssertEqual(catalog.names(.server), ["memcached", "nginx", "postgres", "redis"])
        XCTAssertEqual(catalog.names(.client), [])
    }

    func testEnvironmentBeatsWorkingDirectoryBeatsShipped() throws {
        try writeServer("redis", in: "env", description: "from env")
        try writeServer("redis", in: "cwd/recipes", description: "from cwd")
        try writeServer("nginx", in: "cwd/recipes", description: "from cwd")
        try writeServer("redis", in: "shipped", description: "shipped")
        try writeServer("nginx", in: "shipped", description: "shipped")
        let catalog = RecipeCatalog.standard(
            optionDirectories: [],
            environment: ["BENCH_RECIPES": root.appendingPathComponent("env").path,
                          "BENCH_SHIPPED_RECIPES": root.appendingPathComponent("shipped").path],
            workingDirectory: root.appendingPathComponent("cwd"))
        XCTAssertEqual(try catalog.load(.server, named: "redis").recipe.description, "from env")
        XCTAssertEqual(try catalog.load(.server, named: "nginx").recipe.description, "from cwd")
        XCTAssertEqual(try catalog.entry(.server, named: "nginx").shadowed.count, 1)
    }

    func testRelativeOptionDirectoryAndDuplicatesAreResolved() throws {
        try writeServer("redis", in: "cwd/recipes", description: "local")
        let catalog = RecipeCatalog.standard(
            optionDirectories: ["recipes", "./recipes/"],
            environment: ["BENCH_SHIPPED_RECIPES": root.appendingPathComponent("cwd/recipes").path],
            workingDirectory: root.appendingPathComponent("cwd"))
        // The same folder reached four ways is searched once, at its first place.
        XCTAssertEqual(catalog.directories.map(\.origin), [.option])
        XCTAssertEqual(try catalog.entry(.server, named: "redis").shadowed, [])
    }

    func testYamlBeatsYmlInOneDirectory() throws {
        let yaml = try writeServer("redis", in: "one", description: "yaml")
        let yml = try writeServer("redis", in: "one", description: "yml", ext: "yml")
        let catalog = RecipeCatalog(directories: [RecipeDirectory(url: root.appendingPathComponent("one"), origin: .option)])
        let entry = try catalog.entry(.server, named: "redis")
        XCTAssertEqual(entry.file.path, yaml.path)
        XCTAssertEqual(entry.shadowed.map(\.path), [yml.path])
    }

    func testAFilePathWorksWhereANameDoes() throws {
        let file = try writeServer("mine", in: "elsewhere", description: "not in any recipe folder")
        let catalog = RecipeCatalog(directories: [])
        let loaded = try catalog.load(.server, named: file.path)
        XCTAssertEqual(loaded.entry.origin, .file)
        XCTAssertEqual(loaded.entry.name, file.path, "the path as given, so the script and a replay name the same file")
        XCTAssertEqual(loaded.recipe.name, "mine")
        XCTAssertThrowsError(try catalog.load(.server, named: root.path + "/nope.yaml")) {
            XCTAssertEqual("\($0)", "no server recipe file at \(self.root.path)/nope.yaml")
        }
    }

    func testUnknownNameSuggestsTheNearest() throws {
        try writeServer("redis", in: "one", description: "x")
        try writeServer("nginx", in: "one", description: "x")
        let catalog = RecipeCatalog(directories: [RecipeDirectory(url: root.appendingPathComponent("one"), origin: .option)])
        XCTAssertThrowsError(try catalog.entry(.server, named: "redsi")) { error in
            XCTAssertEqual("\(error)", "unknown server recipe 'redsi'; did you mean 'redis'? (see 'server list')")
        }
        XCTAssertThrowsError(try catalog.load(.server, named: "postgresql")) { error in
            XCTAssertEqual("\(error)", "unknown server recipe 'postgresql' (see 'server list')")
        }
        XCTAssertThrowsError(try catalog.entry(.client, named: "x")) { error in
            let folder = root.appendingPathComponent("one/clients").path
            XCTAssertEqual("\(error)", "unknown client recipe 'x' (no client recipes found in \(folder))")
        }
    }

    func testLoadReportsValidationErrorsWithTheFile() throws {
        let folder = root.appendingPathComponent("one/monitors")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let file = folder.appendingPathComponent("mon.yaml")
        try "name: mon\ntype: sampel\n".write(to: file, atomically: true, encoding: .utf8)
        let catalog = RecipeCatalog(directories: [RecipeDirectory(url: root.appendingPathComponent("one"), origin: .option)])
        XCTAssertThrowsError(try catalog.load(.monitor, named: "mon")) { error in
            XCTAssertEqual("\(error)", "\(DisplayPath.of(file)):2:7: type: 'sampel' is not one of prometheus, sampler; did you mean 'sampler'?")
        }
    }
}
