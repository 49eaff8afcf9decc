import BenchCore

/// `help`, `help CMD`, `help metrics`.
enum HelpCommands {
    private static let topicArgument: ArgumentKey<[String]> = .zeroOrMore("TOPIC", "a command (e.g. 'server start'), an area, or 'metrics'",
                                                                          completion: .commands)

    static let all: [CommandSpec] = [
        CommandSpec(["help"], area: .shell, abstract: "List commands, or show one command's usage, options and examples",
                    arguments: [topicArgument.spec],
                    examples: ["help", "help server start", "help metrics"], aliases: ["?"]) { invocation, context in
            let topic = invocation[topicArgument]
            let registry = context.shell.registry
            if topic.isEmpty {
                overview(registry, context)
            } else if topic == ["metrics"] {
                for line in MetricDefinitions.text.split(separator: "\n", omittingEmptySubsequences: false) { context.print(String(line)) }
            } else if let spec = registry.command(topic) {
                detail(spec, context)
            } else if topic.count == 1, registry.isGroup(topic[0]) {
                let subs = registry.commands.filter { $0.path.first == topic[0] }
                context.print("\(topic[0]) commands:")
                context.columns(subs.map { ["  " + $0.name, $0.abstract] }.sorted { $0[0] < $1[0] })
                context.print("")
                context.print("'help \(topic[0]) SUBCOMMAND' shows options and examples.")
            } else {
                let words = registry.commands.map(\.name) + ["metrics"]
                let asked = topic.joined(separator: " ")
                throw BenchError.usage("help: no command '\(asked)'\(Suggestions.didYouMean(asked, in: words)) (try 'help' for the list)")
            }
        },
    ]

    @MainActor
    private static func overview(_ registry: CommandRegistry, _ context: CommandContext) {
        context.print("Commands (help CMD for options and examples; help metrics for metric definitions):")
        for area in CommandArea.allCases {
            let specs = registry.commands.filter { $0.area == area }.sorted { $0.name < $1.name }
            guard !specs.isEmpty else { continue }
            context.print("")
            context.print("\(area.rawValue):")
            context.columns(specs.map { ["  " + $0.name, $0.abstract] }.map { $0 })
        }
    }

    @MainActor
    static func detail(_ spec: CommandSpec, _ context: CommandContext) {
        context.print("usage: \(spec.usage)")
        context.print("")
        context.print(spec.abstract)
        if let discussion = spec.discussion {
            context.print("")
            for line in discussion.split(separator: "\n", omittingEmptySubsequences: false) { context.print(String(line)) }
        }
        if !spec.arguments.isEmpty {
            context.print("")
            context.print("Arguments:")
            context.columns(spec.arguments.map { ["  \($0.name)", $0.help] })
        }
        if !spec.options.isEmpty {
            context.print("")
            context.print("Options:")
            context.columns(spec.options.map { option in
                var left = "  "
                left += option.short.map { "-\($0), " } ?? ""
                left += "--\(option.name)" + (option.valueName.map { " \($0)" } ?? "")
                var right = option.help
                if case .choice(let values) = option.type { right += " (\(values.joined(separator: "|")))" }
                if let value = option.defaultValue { right += " [default: \(value)]" }
                if option.repeatable { right += " (repeatable)" }
                return [left, right]
            })
        }
        if !spec.examples.isEmpty {
            context.print("")
            context.print("Examples:")
            for example in spec.examples { context.print("  bench> \(example)") }
        }
        if !spec.aliases.isEmpty { context.print("\nAliases: \(spec.aliases.joined(separator: ", "))") }
        context.print("\n" + spec.recording.helpLine)
    }
}
