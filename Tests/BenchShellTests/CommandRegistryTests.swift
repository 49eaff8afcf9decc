import BenchCore
@testable import BenchShell
import XCTest

final class CommandRegistryTests: XCTestCase {
    /// A small registry of the same shape as bench's own, so the tests do not depend on later commands.
    static let registry = CommandRegistry([
        CommandSpec(["server", "start"], area: .servers, abstract: "start",
                    arguments: [ArgumentSpec("RECIPE", "recipe", completion: .recipes(.server))],
                    options: [
                        .value("count", "N", "instances", type: .integer(min: 1), default: "1"),
                        .value("on", "WHERE", "orchestrator", type: .choice(["local", "slurm"])),
                        .value("set", "KEY=VALUE", "override", type: .keyValue, repeatable: true),
                        .value("seed", "N", "seed", type: .integer(min: 0), default: "1", recordsDefault: true),
                        .value("timeout", "DURATION", "wait", type: .duration),
                        .flag("no-wait", "return at once"),
                    ], recording: .always) { _, _ in },
        CommandSpec(["server", "stop"], area: .servers, abstract: "stop",
                    arguments: [ArgumentSpec("HANDLE", "handles", arity: .oneOrMore, completion: .handles(.server))]) { _, _ in },
        CommandSpec(["server", "list"], area: .servers, abstract: "list") { _, _ in },
        CommandSpec(["sleep"], area: .shell, abstract: "sleep", arguments: [ArgumentSpec("DURATION", "d", type: .duration)]) { _, _ in },
        CommandSpec(["exit"], area: .shell, abstract: "exit", aliases: ["quit"]) { _, _ in },
    ])

    func testResolvesGroupsAndAliases() throws {
        XCTAssertEqual(try Self.registry.parse(["server", "list"]).spec.name, "server list")
        XCTAssertEqual(try Self.registry.parse(["quit"]).spec.name, "exit")
        XCTAssertEqual(Self.registry.topLevelWords, ["exit", "quit", "server", "sleep"])
    }

    func testUnknownCommandsAndSubcommandsSuggest() {
        assertUsageError(["bogus"], "unknown command 'bogus' (try 'help')")
        assertUsageError(["servr", "list"], "unknown command 'servr'; did you mean 'server'? (try 'help')")
        assertUsageError(["server", "strat"], "unknown subcommand 'server strat'; did you mean 'server start'? (valid: list, start, stop)")
        assertUsageError(["server"], "'server' needs a subcommand: list, start, stop (see 'help server')")
    }

    func testOptionsAreTypedAndNormalized() throws {
        let invocation = try Self.registry.parse(["server", "start", "--count=2", "redis", "--set", "a=1", "--timeout", "90s", "--set", "b=2", "--no-wait"])
        XCTAssertEqual(invocation.argument("RECIPE"), "redis")
        XCTAssertEqual(invocation.integer("count"), 2)
        XCTAssertEqual(invocation.optionList("set"), ["a=1", "b=2"])
        XCTAssertTrue(invocation.flag("no-wait"))
        XCTAssertEqual(invocation.duration("timeout")?.seconds, 90)
        // Canonical order, long names, canonical duration, and the seed default recorded.
        XCTAssertEqual(invocation.normalizedLine, "server start redis --count 2 --set a=1 --set b=2 --seed 1 --timeout 1m30s --no-wait")
    }

    func testBadOptionsNameTheOptionAndWhatIsValid() {
        assertUsageError(["server", "start", "redis", "--cuont", "2"],
                         "server start: unknown option '--cuont'; did you mean '--count'? (options: --count, --on, --set, --seed, --timeout, --no-wait)")
        assertUsageError(["server", "start", "redis", "--count", "0"], "server start: --count: 0 is too small; it must be at least 1")
        assertUsageError(["server", "start", "redis", "--count", "two"], "server start: --count: 'two' is not an integer")
        assertUsageError(["server", "start", "redis", "--on", "slrum"], "server start: --on: 'slrum' is not valid; did you mean 'slurm'? (valid: local, slurm)")
        assertUsageError(["server", "start", "redis", "--count"], "server start: option --count needs a value (N)")
        assertUsageError(["server", "start", "redis", "--count", "1", "--count", "2"], "server start: option --count given twice")
        assertUsageError(["server", "start", "redis", "--set", "novalue"], "server start: --set: 'novalue' is not of the form key=value")
        assertUsageError(["server", "start", "redis", "--no-wait=yes"], "server start: option --no-wait takes no value")
        assertUsageError(["sleep", "5parsecs"], "sleep: DURATION: '5parsecs' is not a duration; use \(BenchDuration.acceptedForms)")
    }

    func testPositionalArity() throws {
        assertUsageError(["server", "start"], "server start: missing RECIPE (recipe); usage: server start RECIPE [--count N] [--on WHERE] [--set KEY=VALUE]… [--seed N] [--timeout DURATION] [--no-wait]")
        assertUsageError(["server", "list", "extra"], "server list: unexpected argument 'extra'; usage: server list")
        XCTAssertEqual(try Self.registry.parse(["server", "stop", "s1", "s2"]).argumentList("HANDLE"), ["s1", "s2"])
        assertUsageError(["server", "stop"], "server stop: missing HANDLE (handles); usage: server stop HANDLE…")
        // `--` ends options, so a value may start with a dash.
        XCTAssertEqual(try Self.registry.parse(["server", "start", "--", "-odd"]).argument("RECIPE"), "-odd")
    }

    private func assertUsageError(_ words: [String], _ message: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try Self.registry.parse(words), file: file, line: line) { error in
            XCTAssertEqual((error as? BenchError)?.message, message, file: file, line: line)
            XCTAssertEqual((error as? BenchError)?.kind, .usage, file: file, line: line)
        }
    }
}
