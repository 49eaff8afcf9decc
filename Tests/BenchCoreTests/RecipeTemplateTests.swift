import XCTest
@testable import BenchCore

/// `recipe new` templates validate as written, and a recipe's kind can be told from its folder or shape.
final class RecipeTemplateTests: XCTestCase {
    func testTemplatesPassValidation() throws {
        for kind in RecipeKind.allCases {
            let text = RecipeTemplate.text(kind: kind, name: "my-\(kind.rawValue)")
            let recipe = try RecipeLoader.parse(text: text, file: "recipes/\(kind.folderName)/my-\(kind.rawValue).yaml", kind: kind)
            XCTAssertEqual(recipe.kind, kind)
            XCTAssertEqual(recipe.name, "my-\(kind.rawValue)")
            XCTAssertEqual(RecipeLoader.inferKind(text: text), kind, "a template's shape names its kind")
        }
    }

    func testEveryClientKindHasATemplateThatValidates() throws {
        for clientKind in RecipeTemplate.clientKinds {
            let text = RecipeTemplate.text(kind: .client, name: "c", clientKind: clientKind)
            let recipe = try XCTUnwrap(RecipeLoader.parse(text: text, file: "clients/c.yaml", kind: .client).client, clientKind.rawValue)
            XCTAssertEqual(recipe.kind, clientKind)
            XCTAssertTrue(text.contains("# "), "commented")
        }
        let chat = try XCTUnwrap(RecipeLoader.parse(text: RecipeTemplate.text(kind: .client, name: "c", clientKind: .openai),
                                                    file: "c.yaml", kind: .client).client)
        XCTAssertEqual(chat.target?.service, "llama-smollm2")
        XCTAssertEqual(chat.workload.mode, .open)
    }

    func testTemplatesShowTheDefaults() throws {
        let server = try XCTUnwrap(RecipeLoader.parse(text: RecipeTemplate.text(kind: .server, name: "t"), file: "t.yaml", kind: .server).server)
        XCTAssertEqual(server.resources, ResourceSpec())
        XCTAssertEqual(server.readiness?.timeout, BenchDuration(seconds: 30))
        XCTAssertEqual(server.readiness?.interval, BenchDuration(seconds: 0.2))
        let client = try XCTUnwrap(RecipeLoader.parse(text: RecipeTemplate.text(kind: .client, name: "t"), file: "t.yaml", kind: .client).client)
        XCTAssertEqual(client.workload, WorkloadSpec())
        XCTAssertEqual(client.params, .http(HTTPParams()))
        let monitor = try XCTUnwrap(RecipeLoader.parse(text: RecipeTemplate.text(kind: .monitor, name: "t"), file: "t.yaml", kind: .monitor).monitor)
        XCTAssertEqual(monitor, MonitorRecipe(name: "t"))
    }

    func testKindInference() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bench-kind-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("clients"), withIntermediateDirectories: true)
        func write(_ path: String, _ text: String) throws -> URL {
            let url = dir.appendingPathComponent(path)
            try text.write(to: url, atomically: true, encoding: .utf8)
            return url
        }
        // By folder: this one would look like a monitor by shape.
        let inFolder = try write("clients/odd.yaml", "kind: exec\nparams: {command: [\"true\"]}\n")
        XCTAssertEqual(try RecipeLoader.load(file: inFolder).kind, .client)
        // By shape, outside the kind folders.
        XCTAssertEqual(try RecipeLoader.load(file: write("a.yaml", "service: {command: [x]}\n")).kind, .server)
        XCTAssertEqual(try RecipeLoader.load(file: write("b.yaml", "kind: http\ntarget: nginx\n")).kind, .client)
        XCTAssertEqual(try RecipeLoader.load(file: write("c.yaml", "queries: {up: up}\n")).kind, .monitor)
        XCTAssertEqual(try RecipeLoader.load(file: write("d.yaml", "type: sampler\n")).kind, .monitor)
        // An explicit kind wins over both.
        XCTAssertThrowsError(try RecipeLoader.load(file: write("e.yaml", "service: {command: [x]}\n"), displayPath: "e.yaml", kind: .monitor)) { error in
            XCTAssertEqual("\(error)", "e.yaml:1:1: service: unknown field (valid fields: name, description, type, interval, prometheus, exporters, queries)")
        }
        // Undecidable, empty and broken files.
        XCTAssertThrowsError(try RecipeLoader.load(file: write("f.yaml", "name: f\n"), displayPath: "f.yaml")) { error in
            XCTAssertTrue("\(error)".hasPrefix("f.yaml:1:1: cannot tell whether this is a server, client or monitor recipe"), "\(error)")
        }
        XCTAssertThrowsError(try RecipeLoader.load(file: write("g.yaml", ""), displayPath: "g.yaml")) { error in
            XCTAssertEqual("\(error)", "g.yaml:1:1: empty recipe; a recipe is a YAML mapping of fields ('recipe new server|client|monitor NAME' writes a commented template)")
        }
        XCTAssertThrowsError(try RecipeLoader.load(file: write("h.yaml", "service: [\n"), displayPath: "h.yaml")) { error in
            XCTAssertTrue("\(error)".hasPrefix("h.yaml:2:1: YAML syntax error: "), "\(error)")
        }
        XCTAssertThrowsError(try RecipeLoader.load(file: dir.appendingPathComponent("missing.yaml"), displayPath: "missing.yaml")) { error in
            XCTAssertEqual("\(error)", "cannot read recipe missing.yaml: No such file or directory")
        }
    }
}
