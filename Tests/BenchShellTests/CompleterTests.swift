import BenchCore
@testable import BenchShell
import XCTest

final class CompleterTests: XCTestCase {
    let completer = Completer(registry: CommandRegistryTests.registry) { source in
        switch source {
        case .recipes(.server): return ["redis", "redis-cluster", "nginx", "postgres"]
        case .handles(.server): return ["s1", "s2", "cache"]
        default: return []
        }
    }

    func testCommandsAndSubcommands() {
        XCTAssertEqual(completer.complete("").candidates, ["exit", "quit", "server", "sleep"])
        XCTAssertEqual(completer.complete("se").candidates, ["server"])
        XCTAssertEqual(completer.complete("server ").candidates, ["list", "start", "stop"])
        XCTAssertEqual(completer.complete("server st").candidates, ["start", "stop"])
        XCTAssertEqual(completer.complete("server st").commonPrefix, "st")
    }

    func testRecipeNamesHandlesAndOptions() {
        XCTAssertEqual(completer.complete("server start re").candidates, ["redis", "redis-cluster"])
        XCTAssertEqual(completer.complete("server start re").commonPrefix, "redis")
        XCTAssertEqual(completer.complete("server stop ").candidates, ["cache", "s1", "s2"])
        XCTAssertEqual(completer.complete("server stop s1 s").candidates, ["s1", "s2"])
        XCTAssertEqual(completer.complete("server start redis --c").candidates, ["--count"])
        XCTAssertEqual(completer.complete("server start redis --on ").candidates, ["local", "slurm"])
        XCTAssertEqual(completer.complete("server start redis --on=s").candidates, ["--on=slurm"])
        // Options already given are not offered again, repeatable ones are.
        XCTAssertFalse(completer.complete("server start redis --count 2 --").candidates.contains("--count"))
        XCTAssertTrue(completer.complete("server start redis --set a=1 --").candidates.contains("--set"))
        // After an option's value, the next positional is completed again.
        XCTAssertEqual(completer.complete("server start --count 2 n").candidates, ["nginx"])
    }

    func testNothingToComplete() {
        XCTAssertEqual(completer.complete("bogus ").candidates, [])
        XCTAssertEqual(completer.complete("server list ").candidates, [])
    }
}
