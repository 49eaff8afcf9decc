import XCTest
@testable import BenchCore

/// The recipes shipped in recipes/ are valid and say what the later issues rely on.
final class RecipeShippedTests: XCTestCase {
    /// <repository>/recipes, found from this file's place in Tests/BenchCoreTests.
    static let shippedRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("recipes", isDirectory: true)

    private var catalog: RecipeCatalog {
        RecipeCatalog(directories: [RecipeDirectory(url: Self.shippedRoot, origin: .shipped)])
    }

    func testEveryShippedRecipeLoads() throws {
        var count = 0
        for kind in RecipeKind.allCases {
            let folder = Self.shippedRoot.appendingPathComponent(kind.folderName)
            let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".yaml") }
            for file in files {
                let url = folder.appendingPathComponent(file)
                do {
                    let recipe = try RecipeLoader.load(file: url, displayPath: "recipes/\(kind.folderName)/\(file)")
                    XCTAssertEqual(recipe.kind, kind, file)
                    XCTAssertFalse(recipe.description.isEmpty, "\(file) has no description")
                    count += 1
                } catch {
                    XCTFail("\(error)")
                }
            }
        }
        XCTAssertGreaterThanOrEqual(count, 11)
    }

    func testTheNamedRecipesExist() {
        XCTAssertEqual(catalog.names(.server), ["chroma", "llama-smollm2", "memcached", "nginx", "postgres", "redis"])
        XCTAssertEqual(catalog.names(.client), ["chat-short", "chroma-client", "memcached-get-set", "memcslap", "nginx-get", "pgbench-tpcb",
                                                "redis-benchmark", "redis-get-set"])
        XCTAssertEqual(catalog.names(.monitor), ["prometheus", "sampler"])
    }

    func testClientsTargetShippedServersAndTheirPorts() throws {
        for name in catalog.names(.client) {
            let client = try XCTUnwrap(catalog.load(.client, named: name).recipe.client)
            let target = try XCTUnwrap(client.target, name)
            let server = try XCTUnwrap(catalog.load(.server, named: target.service).recipe.server, name)
            XCTAssertNotNil(server.port(named: target.port), "\(name) targets port \(target.port) of \(target.service)")
        }
    }

    func testRedisRecipe() throws {
        let loaded = try catalog.load(.server, named: "redis")
        XCTAssertEqual(loaded.sha256, SHA256.hex(try Data(contentsOf: loaded.entry.file)))
        XCTAssertEqual(loaded.entry.origin, .shipped)
        let redis = try XCTUnwrap(loaded.recipe.server)
        XCTAssertEqual(redis.service.program, .command([
            "redis-server", "--port", "{{port.main}}", "--bind", "{{host}}", "--dir", "{{dir}}",
            "--save", "", "--appendonly", "no",
        ]))
        XCTAssertEqual(redis.portNames, ["main", "metrics"])
        XCTAssertEqual(redis.readiness?.check, .tcp(port: "main"))
        XCTAssertEqual(redis.metrics?.port, "metrics")
        XCTAssertEqual(redis.metrics?.exporter?.command.first, "prometheus-redis-exporter")
    }

    func testLlamaAndChromaRecipes() throws {
        let llama = try XCTUnwrap(catalog.load(.server, named: "llama-smollm2").recipe.server)
        XCTAssertEqual(llama.readiness?.check, .http(port: "main", path: "/health", status: 200, body: nil))
        XCTAssertEqual(llama.metrics, MetricsSpec(port: "main", path: "/metrics", exporter: nil))
        XCTAssertEqual(llama.resources.gpuCount, 0)
        guard case .command(let argv) = llama.service.program else { return XCTFail("llama-smollm2 should use command") }
        XCTAssertEqual(argv.first, "{{cache}}/llama.cpp/bin/llama-server")
        XCTAssertTrue(argv.contains("{{cache}}/models/SmolLM2-135M-Instruct-Q4_1.gguf"))
        XCTAssertTrue(argv.contains("--metrics"))

        let chroma = try XCTUnwrap(catalog.load(.server, named: "chroma").recipe.server)
        XCTAssertEqual(chroma.readiness?.check, .http(port: "main", path: "/api/v2/heartbeat", status: 200, body: nil))
    }

    func testScriptRecipes() throws {
        for name in ["nginx", "postgres"] {
            let server = try XCTUnwrap(catalog.load(.server, named: name).recipe.server)
            guard case .script(let body) = server.service.program else { return XCTFail("\(name) should use a script") }
            XCTAssertTrue(body.contains("exec "), "\(name)'s script should exec the service")
            XCTAssertNotNil(server.metrics?.exporter, name)
        }
        let postgres = try XCTUnwrap(catalog.load(.server, named: "postgres").recipe.server)
        XCTAssertEqual(postgres.settings["bin_dir"], "/usr/lib/postgresql/15/bin")
    }

    func testClientAndMonitorRecipes() throws {
        let chat = try XCTUnwrap(catalog.load(.client, named: "chat-short").recipe.client)
        XCTAssertEqual(chat.kind, .openai)
        XCTAssertEqual(chat.workload.mode, .open)
        XCTAssertNotNil(chat.slo.ttftMs)
        XCTAssertNotNil(chat.slo.tpotMs)
        guard case .openai(let params) = chat.params else { return XCTFail("chat-short should have openai params") }
        XCTAssertEqual(params.endpoint, .chat)

        let vectors = try XCTUnwrap(catalog.load(.client, named: "chroma-client").recipe.client)
        guard case .chroma(let chroma) = vectors.params else { return XCTFail("chroma-client should have chroma params") }
        XCTAssertEqual(chroma.phases, [.load, .query])
        XCTAssertEqual(chroma.dataset, .clustered)
        XCTAssertNil(chroma.collection, "auto: a matching collection is reused")

        let mixed = try XCTUnwrap(catalog.load(.client, named: "redis-get-set").recipe.client)
        XCTAssertEqual(mixed.params, .redis(RedisParams(command: .mixed, ratio: RedisRatio(sets: 1, gets: 10))))
        // The same load on memcached, so the two caches compare run for run.
        let cache = try XCTUnwrap(catalog.load(.client, named: "memcached-get-set").recipe.client)
        XCTAssertEqual(cache.kind, .memcached)
        XCTAssertEqual(cache.target, ClientTarget(service: "memcached"))
        XCTAssertEqual(cache.workload, mixed.workload)
        XCTAssertEqual(cache.params, .memcached(MemcachedParams(command: .mixed, ratio: RedisRatio(sets: 1, gets: 10))))

        let prometheus = try XCTUnwrap(catalog.load(.monitor, named: "prometheus").recipe.monitor)
        XCTAssertEqual(prometheus.exporters, [.node])
        XCTAssertEqual(prometheus.prometheus?.scrapeInterval, BenchDuration(seconds: 1))
        XCTAssertFalse(prometheus.queries.isEmpty)

        let sampler = try XCTUnwrap(catalog.load(.monitor, named: "sampler").recipe.monitor)
        XCTAssertEqual(sampler.type, .sampler)
        XCTAssertNil(sampler.prometheus)
        XCTAssertEqual(sampler.interval, BenchDuration(seconds: 1))
    }

    func testShippedDirectoryFallsBackToTheSourceTree() throws {
        let shipped = try XCTUnwrap(RecipeCatalog.shippedDirectory)
        XCTAssertTrue(FileManager.default.fileExists(atPath: shipped.appendingPathComponent("servers/redis.yaml").path))
    }
}
