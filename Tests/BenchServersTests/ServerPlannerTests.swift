import BenchCore
import BenchPlacement
@testable import BenchServers
import Foundation
import XCTest

/// The server planner on its own: a recipe and `server start`'s request in, a filled-in plan or a refusal out,
/// with the ports in use on the host said by the test.
final class ServerPlannerTests: XCTestCase {
    private func recipe() throws -> ServerRecipe {
        let yaml = """
            name: kv
            service:
              command: [kv-server, --port, "{{port.main}}", --bind, "{{host}}", --dir, "{{dir}}", --mode, "{{set.mode}}"]
            env: {KV_HOME: "{{dir}}/home"}
            settings: {mode: fast}
            ports: {main: auto, admin: 7000}
            readiness: {type: http, port: main, path: /health}
            """
        guard case .server(let recipe) = try RecipeLoader.parse(text: yaml, file: "kv.yaml", kind: .server) else { throw BenchError("not a server recipe") }
        return recipe
    }

    private func planner(taken: Set<Int> = [], free: [Int] = [41000, 41001, 41002]) -> ServerPlanner {
        var planner = ServerPlanner(host: "127.0.0.1", cacheDirectory: "/cache", sessionName: "exp", sessionDirectory: URL(fileURLWithPath: "/s/exp"),
                                    environment: ["PATH": "/usr/bin"])
        planner.portInUse = { _, port in taken.contains(port) }
        planner.freePort = { _, excluding in
            guard let port = free.first(where: { !excluding.contains($0) }) else { throw BenchError("no free port") }
            return port
        }
        return planner
    }

    func testAPlanFillsPortsPlaceholdersAndFolders() throws {
        var taken = Set<Int>()
        let request = ServerManager.StartRequest(recipe: "kv", settings: ["mode": "safe"])
        let plan = try planner().plan(handle: Handle(kind: .server, number: 2), recipe: recipe(), sha256: "f00", request: request,
                                      remote: false, portsTaken: &taken)
        XCTAssertEqual(plan.endpoint, Endpoint(host: "127.0.0.1", ports: ["main": 41000, "admin": 7000]))
        XCTAssertEqual(plan.argv, ["kv-server", "--port", "41000", "--bind", "127.0.0.1", "--dir", "/s/exp/data/s2", "--mode", "safe"])
        XCTAssertEqual(plan.environment["KV_HOME"], "/s/exp/data/s2/home")
        XCTAssertEqual(plan.environment["PATH"], "/usr/bin")
        XCTAssertEqual(plan.logDirectory, "/s/exp/logs/s2")
        XCTAssertEqual(taken, [41000, 7000], "the ports given out are taken for the next instance")
        XCTAssertEqual(ServerPlanner.url(try recipe(), plan.endpoint), "http://127.0.0.1:41000/")
    }

    func testAJobLeavesHostAndAutoPortsToItsNode() throws {
        var taken = Set<Int>()
        let plan = try planner().plan(handle: Handle(kind: .server, number: 1), recipe: recipe(), sha256: "f00",
                                      request: .init(recipe: "kv", orchestrator: "slurm"), remote: true, portsTaken: &taken)
        XCTAssertEqual(plan.endpoint, Endpoint(host: "", ports: ["admin": 7000]))
        XCTAssertEqual(plan.argv[2], SbatchQuoting.reference(SbatchQuoting.portVariable("main")))
        XCTAssertEqual(plan.argv[4], SbatchQuoting.reference("BENCH_HOST"))
    }

    func testRefusals() throws {
        let recipe = try recipe()
        func refusal(_ request: ServerManager.StartRequest, taken: Set<Int> = [], restarting: Bool = false) -> String {
            var given = Set<Int>()
            do {
                try planner(taken: taken).validate(request, recipe: recipe)
                _ = try planner(taken: taken).plan(handle: Handle(kind: .server, number: 1), recipe: recipe, sha256: "", request: request,
                                                   remote: false, portsTaken: &given, restarting: restarting)
                return "no refusal"
            } catch {
                return "\(error)"
            }
        }
        XCTAssertEqual(refusal(.init(recipe: "kv", count: 0)), "--count must be at least 1")
        XCTAssertEqual(refusal(.init(recipe: "kv", settings: ["mod": "x"])),
                       "--set mod: recipe 'kv' has no setting 'mod'; did you mean 'mode'? (its settings: mode)")
        XCTAssertEqual(refusal(.init(recipe: "kv", ports: ["adm": 1])),
                       "--port adm: recipe 'kv' has no port 'adm'; did you mean 'admin'? (ports: main, admin)")
        XCTAssertEqual(refusal(.init(recipe: "kv", count: 2)),
                       "--count 2: port admin is fixed, so the instances would collide; use 'auto' ports for several instances")
        XCTAssertEqual(refusal(.init(recipe: "kv"), taken: [7000]), "port admin=7000 is already in use on 127.0.0.1; pick another with --port admin=N")
        XCTAssertEqual(refusal(.init(recipe: "kv"), taken: [7000], restarting: true),
                       "port admin=7000 is already in use on 127.0.0.1; a restart keeps s1's ports: free that one, or start a new instance with 'server start kv --port admin=N'")
    }
}
