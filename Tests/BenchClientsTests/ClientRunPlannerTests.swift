@testable import BenchClients
import BenchCore
import BenchPlacement
import XCTest

/// The client run planner, target resolver and SLURM part split, without a server: recipe + options in, request or refusal out.
final class ClientRunPlannerTests: XCTestCase {
    private func recipe(_ yaml: String = """
        name: web
        kind: http
        target: {service: nginx, port: main}
        workload: {mode: closed, concurrency: 50, duration: 10s, warmup: 2s, seed: 7}
        params: {method: GET, path: /}
        """) throws -> ClientRecipe {
        guard case .client(let recipe) = try RecipeLoader.parse(text: yaml, file: "web.yaml", kind: .client) else {
            throw BenchError("not a client recipe")
        }
        return recipe
    }

    private let target = ClientTargetSpec(given: "127.0.0.1:8080", host: "127.0.0.1", port: 8080, portName: nil, server: nil)

    private func plan(_ options: ClientRunOptions, concurrency: Int? = nil, rate: Double? = nil, closedLoop: Bool = false,
                      budget: (connections: Int, limit: Int)? = nil) throws -> ClientRunRequest {
        try ClientRunPlanner.request(recipe: try recipe(), recipeSHA256: "abc", target: target, options: options,
                                     concurrency: concurrency ?? options.concurrency, rate: rate ?? options.rate,
                                     closedLoop: closedLoop, descriptorBudget: budget)
    }

    private func assertRefused(_ options: ClientRunOptions, budget: (connections: Int, limit: Int)? = nil, _ message: String,
                               file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try plan(options, budget: budget), file: file, line: line) { error in
            XCTAssertEqual("\(error)", message, file: file, line: line)
        }
    }

    func testTheRecipeWorkloadIsTheDefaultAndOptionsOverrideIt() throws {
        let request = try plan(ClientRunOptions())
        XCTAssertEqual(request.plan.mode, .closed)
        XCTAssertEqual(request.plan.concurrency, 50)
        XCTAssertEqual(request.plan.duration, 10)
        XCTAssertEqual(request.plan.warmup, 2)
        XCTAssertEqual(request.seed, 7)
        XCTAssertEqual(request.plan.requestTimeout, 10)

        var options = ClientRunOptions()
        options.concurrency = 4
        options.requests = 100
        options.seed = 9
        options.timeout = BenchDuration(seconds: 3)
        options.sets = [("path", "/status")]
        let overridden = try plan(options)
        XCTAssertEqual(overridden.plan.concurrency, 4)
        XCTAssertEqual(overridden.plan.requests, 100)
        XCTAssertNil(overridden.plan.duration, "--requests replaces the recipe's duration")
        XCTAssertEqual(overridden.seed, 9)
        XCTAssertEqual(overridden.plan.requestTimeout, 3)
        XCTAssertEqual(overridden.overrides, ["path": "/status"])
    }

    func testRateMakesAnOpenLoopAndAConcurrencySweepPointAClosedOne() throws {
        var options = ClientRunOptions()
        options.rate = 200
        options.arrival = .poisson
        let open = try plan(options)
        XCTAssertEqual(open.plan.mode, .open)
        XCTAssertEqual(open.plan.rate, 200)
        XCTAssertEqual(open.plan.arrival, .poisson)
        XCTAssertEqual(try plan(ClientRunOptions(), concurrency: 8, closedLoop: true).plan.mode, .closed)
    }

    func testRefusals() {
        var arrival = ClientRunOptions()
        arrival.arrival = .poisson
        assertRefused(arrival, "client run: --arrival poisson shapes an open loop's schedule; give --rate R too (a closed loop sends as answers come)")
        var both = ClientRunOptions()
        both.duration = BenchDuration(seconds: 5)
        both.requests = 10
        assertRefused(both, "client run: give --duration or --requests, not both (a run ends by time or by count)")
        var slo = ClientRunOptions()
        slo.slo = "ttfb=5ms"
        assertRefused(slo, "client run: --slo ttfb: no such objective; did you mean 'ttft'? (ttft, tpot, e2el, p99)")
        slo.slo = "ttft"
        assertRefused(slo, "client run: --slo ttft: expected NAME=DURATION (ttft, tpot, e2el, p99), e.g. ttft=500ms")
    }

    func testConnectionsFitTheOpenFileBudget() throws {
        var options = ClientRunOptions()
        options.concurrency = 900
        assertRefused(options, budget: (768, 1024), "client run: --concurrency 900 needs 900 connections, but this process may open 1024 files "
            + "(ulimit -n) and keeps 256 for itself; use --concurrency 768 or less, or raise the limit")
        // The open loop's default cap shrinks to fit; a cap the user gave is refused.
        var open = ClientRunOptions()
        open.rate = 10
        XCTAssertEqual(try plan(open, budget: (768, 1024)).plan.connectionCap, 768)
        open.connectionCapGiven = true
        assertRefused(open, budget: (768, 1024), "client run: --connections-cap 1000 needs 1000 connections, but this process may open 1024 files "
            + "(ulimit -n) and keeps 256 for itself; use --connections-cap 768 or less, or raise the limit")
    }

    func testSLOParsing() throws {
        let slo = try ClientRunPlanner.parseSLO("ttft=500ms,tpot=50ms,e2e=5s,p99=20ms")
        XCTAssertEqual(slo, SLOSpec(ttftMs: 500, tpotMs: 50, e2elMs: 5000, p99Ms: 20))
    }

    func testTargetsResolveToReadyServersAndAddresses() throws {
        let handles = HandleTable()
        let s1 = try handles.allocate(.server, label: "nginx", alias: "web")
        let s2 = try handles.allocate(.server, label: "nginx")
        let servers = [
            ClientTargetResolver.Server(handle: s1, recipeName: "nginx", state: .ready,
                                        endpoint: Endpoint(host: "127.0.0.1", ports: ["main": 8080, "metrics": 9113])),
            ClientTargetResolver.Server(handle: s2, recipeName: "nginx", state: .starting,
                                        endpoint: Endpoint(host: "127.0.0.1", ports: ["main": 8081])),
        ]
        let recipe = try recipe()
        func resolve(_ given: String?, port: String? = nil) throws -> ClientTargetSpec {
            try ClientTargetResolver.resolve(given, portName: port, recipe: recipe, servers: servers, handles: handles)
        }
        let byAlias = try resolve("web")
        XCTAssertEqual(byAlias.server, s1)
        XCTAssertEqual(byAlias.port, 8080)
        XCTAssertEqual(try resolve("s1", port: "metrics").port, 9113)
        XCTAssertEqual(try resolve("http://10.0.0.5:8080").host, "10.0.0.5")
        for (given, port, message) in [
            (nil as String?, nil as String?, "client run: --target is needed: several match (s1, s2); give a server handle, a URL or host:port"),
            ("s2", nil, "client run: target s2 (nginx) is not ready: starting; 'wait s2' first"),
            ("s1", "admin", "client run: --port admin: server s1 (nginx) has no port 'admin' (ports: main, metrics)"),
            ("redis://127.0.0.1:6379", nil, "client run: --target redis://127.0.0.1:6379: a redis address, but recipe 'web' is of kind http; give http://host:port or host:port"),
            ("http://127.0.0.1:8080/status", nil, "client run: --target http://127.0.0.1:8080/status: the request path comes from recipe 'web', not from the address; give http://127.0.0.1:8080 and --set path=/status"),
        ] {
            XCTAssertThrowsError(try resolve(given, port: port)) { XCTAssertEqual("\($0)", message) }
        }
    }

    func testATargetOfAnotherServiceIsWarnedAbout() throws {
        let handles = HandleTable()
        let s1 = try handles.allocate(.server, label: "chroma")
        let s2 = try handles.allocate(.server, label: "nginx")
        let servers = [
            ClientTargetResolver.Server(handle: s1, recipeName: "chroma", state: .ready, endpoint: Endpoint(host: "127.0.0.1", ports: ["main": 8000])),
            ClientTargetResolver.Server(handle: s2, recipeName: "nginx", state: .ready, endpoint: Endpoint(host: "127.0.0.1", ports: ["main": 8080])),
        ]
        let recipe = try recipe()
        let onChroma = try ClientTargetResolver.resolve("s1", portName: nil, recipe: recipe, servers: servers, handles: handles)
        XCTAssertEqual(ClientTargetResolver.serviceMismatch(onChroma, recipe: recipe, servers: servers),
                       "client recipe 'web' was written for 'nginx' servers, but s1 runs 'chroma'; sending anyway (a run in which nothing succeeds fails)")
        let onNginx = try ClientTargetResolver.resolve("s2", portName: nil, recipe: recipe, servers: servers, handles: handles)
        XCTAssertNil(ClientTargetResolver.serviceMismatch(onNginx, recipe: recipe, servers: servers))
        XCTAssertNil(ClientTargetResolver.serviceMismatch(target, recipe: recipe, servers: servers), "a plain address is not checked")
    }

    func testSlurmPartsShareTheLoadAndTheirOwnSeeds() throws {
        var options = ClientRunOptions()
        options.concurrency = 5
        options.rate = 100
        options.requests = 7
        options.warmup = BenchDuration(seconds: 1)
        options.sets = [("path", "/x")]
        options.threads = 2
        options.threadsGiven = true
        let request = try plan(options)
        XCTAssertEqual(try SlurmClientRun.partCount(options, plan: request.plan).nodes, 1)
        let parts = SlurmClientRun.partCommands(request, options: options, partCount: 2)
        XCTAssertEqual(parts[0], ["client", "run", "web", "--target", "127.0.0.1:8080", "--quiet", "--concurrency", "3", "--seed", "7",
                                  "--rate", "50.0", "--requests", "4", "--warmup", "1s", "--set", "path=/x", "--threads", "2"])
        XCTAssertEqual(parts[1][6...9], ["--concurrency", "2", "--seed", "8"])
        options.nodes = 3
        options.tasksPerNode = 2
        XCTAssertThrowsError(try SlurmClientRun.partCount(options, plan: request.plan)) {
            XCTAssertEqual("\($0)", "client run --on slurm: --concurrency 5 is less than the 6 parts (--nodes × --tasks-per-node); each part needs a connection")
        }
        options.background = true
        XCTAssertThrowsError(try SlurmClientRun.partCount(options, plan: request.plan)) {
            XCTAssertEqual("\($0)", "client run --on slurm: --background is not supported; the job runs in the foreground")
        }
    }

    func testChromaPartsOnSlurmMayQueryButNotLoadOrInsert() throws {
        var params = ChromaParams()
        XCTAssertThrowsError(try SlurmClientRun.checkChromaParts(.chroma(params), parts: 2)) {
            XCTAssertTrue("\($0)".contains("with 2 parts each would load the collection; load it once first"), "\($0)")
        }
        XCTAssertNoThrow(try SlurmClientRun.checkChromaParts(.chroma(params), parts: 1))
        params.phases = [.mixed]
        XCTAssertThrowsError(try SlurmClientRun.checkChromaParts(.chroma(params), parts: 3))
        params.phases = [.query]
        XCTAssertNoThrow(try SlurmClientRun.checkChromaParts(.chroma(params), parts: 4))
        XCTAssertNoThrow(try SlurmClientRun.checkChromaParts(.redis(RedisParams()), parts: 4))
    }
}
