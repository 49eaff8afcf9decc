import BenchCore
@testable import BenchShell
import XCTest

final class OptionKeyTests: XCTestCase {
    private enum Mode: String, CaseIterable, Sendable { case fast, careful }

    /// Keys of every kind, declared once and used both in the spec and to read values.
    private enum Keys {
        static let recipe: ArgumentKey<String> = .one("RECIPE", "recipe", completion: .recipes(.server))
        static let handles: ArgumentKey<[String]> = .zeroOrMore("HANDLE", "handles", type: .handle(.server))
        static let count: OptionKey<Int> = .integer("count", "N", "instances", min: 1, default: 1)
        static let nodes: OptionKey<Int?> = .integer("nodes", "N", "nodes", min: 1)
        static let rate: OptionKey<Double?> = .number("rate", "R", "per second", min: 0)
        static let ratio: OptionKey<Double> = .number("ratio", "X", "share", min: 0, default: 0.5)
        static let name: OptionKey<String?> = .string("name", "ALIAS", "alias")
        static let dir: OptionKey<String> = .string("dir", "DIR", "root", default: "recipes", completion: .files)
        static let run: OptionKey<String?> = .handle("run", "RUN", "a run", kind: .run)
        static let grace: OptionKey<BenchDuration> = .duration("grace", "DURATION", "grace", default: BenchDuration(seconds: 10))
        static let time: OptionKey<BenchDuration?> = .duration("time", "DURATION", "limit")
        static let on: OptionKey<WhereToRun?> = .choice("on", "WHERE", "where")
        static let mode: OptionKey<Mode> = .choice("mode", "MODE", "how", default: .careful, recordsDefault: true)
        static let tag: OptionKey<[String]> = .list("tag", "TAG", "a label")
        static let set: OptionKey<[KeyValuePair]> = .pairs("set", "KEY=VALUE", "override")
        static let noWait: OptionKey<Bool> = .flag("no-wait", "return at once")
        static let follow: OptionKey<Bool> = .flag("follow", short: "f", "keep going")
        static let slurm = OptionGroup([nodes.spec, time.spec])
    }

    private static let start = CommandSpec(
        ["thing", "start"], area: .servers, abstract: "start", arguments: [Keys.recipe.spec, Keys.handles.spec],
        options: [Keys.count.spec, Keys.rate.spec, Keys.ratio.spec, Keys.name.spec, Keys.dir.spec, Keys.run.spec, Keys.grace.spec,
                  Keys.on.spec, Keys.mode.spec, Keys.tag.spec, Keys.set.spec, Keys.noWait.spec, Keys.follow.spec] + Keys.slurm.specs,
        recording: .always) { _, _ in }

    private static let sleepDuration: ArgumentKey<BenchDuration> = .duration("DURATION", "how long")
    private static let historyCount: ArgumentKey<Int?> = .integer("COUNT", "last lines", min: 1)
    private static let kind: ArgumentKey<RecipeKind> = .choice("KIND", "kind")
    private static let optionalHandle: ArgumentKey<String?> = .optional("HANDLE", "one")

    private static let registry = CommandRegistry([
        start,
        CommandSpec(["sleep"], area: .shell, abstract: "sleep", arguments: [sleepDuration.spec]) { _, _ in },
        CommandSpec(["history"], area: .shell, abstract: "history", arguments: [historyCount.spec]) { _, _ in },
        CommandSpec(["new"], area: .recipes, abstract: "new", arguments: [kind.spec, optionalHandle.spec]) { _, _ in },
    ])

    private func parse(_ line: String) throws -> Invocation {
        try Self.registry.parse(line.split(separator: " ").map(String.init))
    }

    func testDefaultsApplyAndOptionalsAreNilWhenNotGiven() throws {
        let invocation = try parse("thing start redis")
        XCTAssertEqual(invocation[Keys.recipe], "redis")
        XCTAssertEqual(invocation[Keys.count], 1)
        XCTAssertEqual(invocation[Keys.ratio], 0.5)
        XCTAssertEqual(invocation[Keys.dir], "recipes")
        XCTAssertEqual(invocation[Keys.grace], BenchDuration(seconds: 10))
        XCTAssertEqual(invocation[Keys.mode], .careful)
        XCTAssertNil(invocation[Keys.nodes])
        XCTAssertNil(invocation[Keys.rate])
        XCTAssertNil(invocation[Keys.name])
        XCTAssertNil(invocation[Keys.run])
        XCTAssertNil(invocation[Keys.time])
        XCTAssertNil(invocation[Keys.on])
        XCTAssertEqual(invocation[Keys.tag], [])
        XCTAssertEqual(invocation[Keys.set], [])
        XCTAssertEqual(invocation[Keys.handles], [])
        XCTAssertFalse(invocation[Keys.noWait])
        // A default is a value, not something the user gave.
        XCTAssertFalse(invocation.wasGiven(Keys.count))
        XCTAssertNil(Keys.slurm.firstGiven(in: invocation))
    }

    func testGivenValuesAreTyped() throws {
        let invocation = try parse("thing start --count=3 redis --nodes 2 --rate 2.5 --ratio 1 --name web --dir /tmp/r --run r1 "
                                   + "--grace 1m30s --time 90s --on slurm --mode fast --no-wait -f s1 s2")
        XCTAssertEqual(invocation[Keys.count], 3)
        XCTAssertTrue(invocation.wasGiven(Keys.count))
        XCTAssertEqual(invocation[Keys.nodes], 2)
        XCTAssertEqual(invocation[Keys.rate], 2.5)
        XCTAssertEqual(invocation[Keys.ratio], 1)
        XCTAssertEqual(invocation[Keys.name], "web")
        XCTAssertEqual(invocation[Keys.dir], "/tmp/r")
        XCTAssertEqual(invocation[Keys.run], "r1")
        XCTAssertEqual(invocation[Keys.grace], BenchDuration(seconds: 90))
        XCTAssertEqual(invocation[Keys.time], BenchDuration(seconds: 90))
        XCTAssertEqual(invocation[Keys.on], .slurm)
        XCTAssertEqual(invocation[Keys.mode], .fast)
        XCTAssertTrue(invocation[Keys.noWait])
        XCTAssertTrue(invocation[Keys.follow], "the short spelling -f sets the flag")
        XCTAssertEqual(invocation[Keys.handles], ["s1", "s2"])
        // The group names the first of its options that the line gave, in declaration order.
        XCTAssertEqual(Keys.slurm.firstGiven(in: invocation)?.name, "nodes")
    }

    func testRepeatedValuesKeepTheirOrderAndPairsSplitAtTheFirstEquals() throws {
        let invocation = try parse("thing start redis --tag b --set a=1 --tag a --set url=http://h/?x=y --set a=2")
        XCTAssertEqual(invocation[Keys.tag], ["b", "a"])
        XCTAssertEqual(invocation[Keys.set], [KeyValuePair(key: "a", value: "1"), KeyValuePair(key: "url", value: "http://h/?x=y"),
                                              KeyValuePair(key: "a", value: "2")])
        // The same values as the string accessor that unconverted commands still use.
        XCTAssertEqual(invocation[Keys.set].map(\.key), invocation.keyValuePairs("set").map(\.key))
        XCTAssertEqual(invocation[Keys.set].map(\.value), invocation.keyValuePairs("set").map(\.value))
    }

    func testTypedArguments() throws {
        XCTAssertEqual(try parse("sleep 1m30s")[Self.sleepDuration], BenchDuration(seconds: 90))
        XCTAssertEqual(try parse("history 20")[Self.historyCount], 20)
        XCTAssertNil(try parse("history")[Self.historyCount])
        let new = try parse("new monitor s1")
        XCTAssertEqual(new[Self.kind], .monitor)
        XCTAssertEqual(new[Self.optionalHandle], "s1")
        XCTAssertNil(try parse("new client")[Self.optionalHandle])
        // A required argument is the parser's business: the command never runs without it.
        XCTAssertThrowsError(try parse("new")) { error in
            XCTAssertEqual((error as? BenchError)?.message, "new: missing KIND (kind); usage: new KIND [HANDLE]")
        }
    }

    func testKeysDeclareTheSameSpecsAsHandWrittenOnes() {
        let cases: [(OptionSpec, OptionSpec)] = [
            (Keys.count.spec, .value("count", "N", "instances", type: .integer(min: 1), default: "1")),
            (Keys.ratio.spec, .value("ratio", "X", "share", type: .number(min: 0), default: "0.5")),
            (Keys.grace.spec, .value("grace", "DURATION", "grace", type: .duration, default: "10s")),
            (Keys.on.spec, .value("on", "WHERE", "where", type: .choice(["local", "slurm"]))),
            (Keys.mode.spec, .value("mode", "MODE", "how", type: .choice(["fast", "careful"]), default: "careful", recordsDefault: true)),
            (Keys.run.spec, .value("run", "RUN", "a run", type: .handle(.run), completion: .handles(.run))),
            (Keys.set.spec, .value("set", "KEY=VALUE", "override", type: .keyValue, repeatable: true)),
            (Keys.follow.spec, .flag("follow", short: "f", "keep going")),
        ]
        for (key, written) in cases {
            XCTAssertEqual(key.name, written.name)
            XCTAssertEqual(key.short, written.short, key.name)
            XCTAssertEqual(key.help, written.help, key.name)
            XCTAssertEqual(key.valueName, written.valueName, key.name)
            XCTAssertEqual(key.type, written.type, key.name)
            XCTAssertEqual(key.defaultValue, written.defaultValue, key.name)
            XCTAssertEqual(key.repeatable, written.repeatable, key.name)
            XCTAssertEqual(key.recordsDefault, written.recordsDefault, key.name)
            XCTAssertEqual(key.completion, written.completion, key.name)
        }
        XCTAssertEqual(Self.kind.spec.type, .choice(["server", "client", "monitor"]))
        XCTAssertEqual(Self.historyCount.spec.arity, .optional)
    }

    func testRecordedLineIsUnchanged() throws {
        // Recording reads the spec, so keys record exactly as the strings did: declaration order,
        // long names, canonical values, and defaults only where they are declared to matter.
        let invocation = try parse("thing start redis -f --set a=1 --grace 90s --count 2 --time 01:00:00 --set b=2")
        XCTAssertEqual(invocation.normalizedLine,
                       "thing start redis --count 2 --grace 1m30s --mode careful --set a=1 --set b=2 --follow --time 1h")
    }

    func testGroupsListAndFilterTheirOptions() {
        XCTAssertEqual(Keys.slurm.names, ["nodes", "time"])
        XCTAssertTrue(Keys.slurm.contains(Keys.time.spec))
        XCTAssertFalse(Keys.slurm.contains(Keys.count.spec))
        XCTAssertEqual(Keys.slurm.removing(from: Self.start.options).map(\.name),
                       ["count", "rate", "ratio", "name", "dir", "run", "grace", "on", "mode", "tag", "set", "no-wait", "follow"])
    }
}
