import ArgumentParser
import BenchClients
import BenchCore
import BenchPlacement
import BenchMonitors
import BenchServers
import BenchShell
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// bench's own command line; everything after it is shell commands.
struct BenchArguments: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "An interactive shell for benchmarking AI Factory services.",
        discussion: """
        bench                         interactive bench> prompt
        bench < file.bench            run commands from stdin (no prompt, no colours)
        bench -c 'server list'        run one command (repeat -c for more)
        bench server list             the same: words after the options are one command
        bench --replay FILE.bench     re-run a recorded session into a new session

        Exit codes: 0 ok, 1 a command failed, 2 bad usage of bench itself, 130 interrupted (Ctrl-C),
        143 terminated (SIGTERM), 129 hung up (SIGHUP). SIGTERM or SIGHUP during a command ends it as
        Ctrl-C does (kept in the script as '# interrupted:'), then bench stops its servers and exits.
        """,
        version: BenchVersion.current)

    @Option(name: .long, help: ArgumentHelp("Session name: records sessions/NAME.bench and sessions/NAME/ (default: a timestamp).", valueName: "NAME"))
    var session: String?

    @Option(name: .long, help: ArgumentHelp("A recipe folder searched first (repeatable).", valueName: "DIR"))
    var recipes: [String] = []

    @Option(name: .long, help: ArgumentHelp("Folder for session scripts and output (default: $BENCH_SESSIONS or ./sessions).", valueName: "DIR"))
    var sessionsDir: String?

    @Option(name: .long, help: ArgumentHelp("Replay a recorded session script.", valueName: "FILE"))
    var replay: String?

    @Option(name: .customShort("c"), help: ArgumentHelp("Run a command and exit (repeatable).", valueName: "COMMAND"))
    var command: [String] = []

    @Flag(name: .long, help: "In batch, -c and replay, go on after a failing command (exit code 1 at the end).")
    var continueOnError = false

    @Flag(name: .long, help: "Do not write a session script.")
    var noRecord = false

    @Flag(name: .long, help: "Stop servers that a killed bench left running (all sessions, or the session named after the options), then exit.")
    var cleanup = false

    @Option(name: .long, help: ArgumentHelp("Resume a detached session: its handles, servers and recording.", valueName: "NAME"))
    var attach: String?

    @Flag(name: .long, help: "List sessions with servers still running, then exit.")
    var sessions = false

    /// Words after bench's own options: one command, as with -c (split off before parsing, see `splitArguments`).
    var words: [String] = []

    enum CodingKeys: String, CodingKey {
        case session, recipes, sessionsDir, replay, command, continueOnError, noRecord, cleanup, attach, sessions
    }
}

/// Splits argv at the first word that is not one of bench's options or their values: what follows
/// is a shell command (`bench server start redis --count 2`), whose options are not bench's.
func splitArguments(_ argv: [String]) -> (own: [String], command: [String]) {
    let takesValue: Set<String> = ["--session", "--recipes", "--sessions-dir", "--replay", "-c", "--attach"]
    var index = 0
    while index < argv.count {
        let word = argv[index]
        if word == "--" { return (Array(argv[..<index]), Array(argv[(index + 1)...])) }
        guard word.hasPrefix("-") else { break }
        index += takesValue.contains(word) ? 2 : 1
    }
    index = min(index, argv.count)
    return (Array(argv[..<index]), Array(argv[index...]))
}

/// Exit code 2 for usage errors of bench itself, as documented (ArgumentParser's default is 64).
func parseArguments() -> BenchArguments {
    let (own, command) = splitArguments(Array(CommandLine.arguments.dropFirst()))
    do {
        var parsed = try BenchArguments.parse(own)
        parsed.words = command
        if parsed.replay != nil && (!parsed.command.isEmpty || !parsed.words.isEmpty) {
            throw ValidationError("--replay cannot be combined with -c or a command")
        }
        if parsed.attach != nil && (parsed.replay != nil || parsed.session != nil) {
            throw ValidationError("--attach NAME resumes that session; it cannot be combined with --replay or --session")
        }
        if parsed.cleanup && parsed.words.count > 1 {
            throw ValidationError("--cleanup takes at most one session name")
        }
        return parsed
    } catch {
        let code = BenchArguments.exitCode(for: error)
        let message = BenchArguments.fullMessage(for: error)
        if code == .success {
            print(message)
            exit(0)
        }
        Console.writeAll(STDERR_FILENO, "\(message)\n")
        exit(2)
    }
}

func fail(_ message: String, code: Int32 = 2) -> Never {
    Console.writeAll(STDERR_FILENO, "bench: \(message)\n")
    exit(code)
}

/// Everything after argument parsing. A function rather than top-level code: top-level variables of
/// an async main.swift are globals, and releasing them at exit crashed (Swift 6.3, Linux).
@MainActor
func runBench() async -> Int32 {
    // A load generator needs a descriptor per connection; the soft limit (often 1024) is lifted to the hard one.
    DescriptorBudget.raiseSoftLimit()
    let arguments = parseArguments()
    let environment = ProcessInfo.processInfo.environment
    let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    let stdinIsTerminal = isatty(STDIN_FILENO) == 1
    let interactive = arguments.replay == nil && arguments.command.isEmpty && arguments.words.isEmpty && stdinIsTerminal

    let sessionsRoot = URL(fileURLWithPath: arguments.sessionsDir ?? environment["BENCH_SESSIONS"] ?? "sessions", relativeTo: cwd).standardizedFileURL
    let catalog = RecipeCatalog.standard(optionDirectories: arguments.recipes, environment: environment, workingDirectory: cwd)
    // .env is read once: secrets and the SLURM settings both come from it, the environment winning.
    let environmentWithDotenv = Secrets.merging(environment, dotenv: cwd.appendingPathComponent(".env"))
    let secrets = Secrets(values: environmentWithDotenv)
    let useColor = interactive && isatty(STDOUT_FILENO) == 1 && environment["NO_COLOR"] == nil && environment["TERM"] != "dumb"
    let console = Console(useColor: useColor, isInteractive: interactive)


    // Maintenance modes that do not open a session.
    if arguments.sessions { return SessionMaintenance.listSessions(root: sessionsRoot, console: console) }
    if arguments.cleanup { return await SessionMaintenance.cleanup(root: sessionsRoot, name: arguments.words.first, console: console) }

    var script: SessionScript?
    if let replayPath = arguments.replay {
        do {
            script = try SessionScript.load(URL(fileURLWithPath: replayPath, relativeTo: cwd), displayPath: replayPath)
        } catch {
            fail("\(error)")
        }
    }

    // One writer per session: the folder is chosen and locked before anything is written to it.
    let nameSource: SessionOpening.NameSource
    if let name = arguments.attach {
        nameSource = .attach(name)
    } else if let name = arguments.session {
        nameSource = .given(name)
    } else if let script {
        nameSource = .generated((script.header["session"] ?? URL(fileURLWithPath: script.path).deletingPathExtension().lastPathComponent) + "-replay")
    } else {
        nameSource = .generated(Session.defaultName(in: sessionsRoot))
    }
    if case .attach(let name) = nameSource, arguments.noRecord {
        fail("--attach \(name) continues a recorded session; it cannot be combined with --no-record")
    }
    switch nameSource {
    case .given(let name), .attach(let name), .generated(let name):
        do { try Session.validateName(name) } catch { fail("\(error)") }
    }
    let record = !arguments.noRecord
    let opened: SessionOpening.Opened
    switch SessionOpening.open(nameSource, sessionsRoot: sessionsRoot, record: record) {
    case .success(let value): opened = value
    case .failure(let refusal): fail(refusal.description)
    }
    let sessionName = opened.name

    var attachedState: SessionStateFile?
    if let name = arguments.attach {
        let url = sessionsRoot.appendingPathComponent(name).appendingPathComponent("state.json")
        guard let state = try? SessionStateFile.load(url) else {
            SessionOpening.close(opened, sessionsRoot: sessionsRoot, record: true, keepWorkingFiles: true)
            fail("--attach \(name): no session state at \(url.path) (see 'bench --sessions')")
        }
        // The lock says the session is not open now; a state file whose owner runs without it is a bench from before locks.
        if state.ownerIsAlive && !state.detached && state.ownerPid != getpid() {
            fail("--attach \(name): the session is open in bench pid \(state.ownerPid)")
        }
        attachedState = state
    }

    let session: Session
    do {
        session = try Session(name: sessionName, sessionsRoot: opened.root, catalog: catalog, environment: environment, secrets: secrets,
                              isRecorded: record)
    } catch {
        fail("\(error)")
    }

    // SLURM settings may live in .env, like secrets.
    let servers = ServerManager(session: session, cacheDirectory: ServerManager.defaultCacheDirectory(environment: environment),
                                slurm: SlurmOrchestrator(environment: environmentWithDotenv))
    let monitors = MonitorManager(session: session, ledger: servers)
    let clients = ClientManager(session: session) { server, started, ended in
        await monitors.runSection(server: server, window: TimeWindow(start: started, end: ended))
    }
    let registry = BenchCommands.registry()
    let recorder = SessionRecorder(
        session: session,
        header: .init(version: BenchVersion.current, host: ProcessInfo.processInfo.hostName,
                      orchestrator: session.settings["orchestrator"] ?? "local", replayOf: arguments.replay),
        enabled: !arguments.noRecord)

    if let attachedState {
        do {
            for note in try await servers.resume(from: attachedState) { console.warning(note) }
            await clients.resume()
            try recorder.resumeExisting(note: "attached: \(ISO8601DateFormatter().string(from: Date())) by bench pid \(getpid())")
            let live = await servers.liveHandles.map(\.description)
            console.info("attached to session \(sessionName)\(live.isEmpty ? "" : "; running: \(live.joined(separator: " "))")")
        } catch {
            fail("--attach \(sessionName): \(error)")
        }
    } else if arguments.replay == nil {
        await SessionMaintenance.offerCleanup(root: sessionsRoot, interactive: interactive, console: console) {
            console.write("Stop them now? [Y/n] ")
            let answer = readLine()?.trimmingCharacters(in: .whitespaces).lowercased() ?? "n"
            return answer.isEmpty || answer.hasPrefix("y")
        }
    }

    // The terminal as it was, restored if a signal ends bench while libedit has it in raw mode.
    var savedTerminal = termios()
    let haveSavedTerminal = stdinIsTerminal && tcgetattr(STDIN_FILENO, &savedTerminal) == 0
    let terminalToRestore = savedTerminal

    let interrupts = InterruptMonitor(idleInterruptLeaves: !interactive) { signo in
        if haveSavedTerminal {
            var t = terminalToRestore
            tcsetattr(STDIN_FILENO, TCSANOW, &t)
        }
        let what = signo == SIGINT ? "interrupted" : (signo == SIGHUP ? "hangup" : "terminated")
        Console.writeAll(STDERR_FILENO, "\nbench: \(what); stopping the session's servers\n")
        clients.stopAllNow()
        monitors.emergencyStopAll()
        servers.emergencyStopAll()
    }
    interrupts.install()

    let shell = Shell(session: session, servers: servers, clients: clients, monitors: monitors, registry: registry, console: console, recorder: recorder, interrupts: interrupts)
    shell.continueOnError = arguments.continueOnError

    var status: Int32
    if let script {
        status = await shell.replay(script)
    } else if !arguments.command.isEmpty || !arguments.words.isEmpty {
        let lines = arguments.command + (arguments.words.isEmpty ? [] : [ShellQuoting.join(arguments.words)])
        status = await shell.runCommands(lines)
    } else if interactive {
        let historyPath = environment["BENCH_HISTORY"] ?? (environment["HOME"].map { $0 + "/.bench_history" })
        let completer = Completer(registry: registry, values: BenchCommands.completionValues(session: session, registry: registry))
        let editor = LibEditLineEditor(historyPath: historyPath, completer: { completer.complete($0) })
        status = await shell.runInteractive(editor: editor)
    } else {
        status = await shell.runBatch(reader: PlainLineReader(), sourceName: "<stdin>")
    }

    // Failed commands wait in memory until the script exists; a session of nothing else keeps them too.
    do { try recorder.finish() } catch { console.warning("could not keep the failed commands in the script: \(error)") }

    // An attached session's servers were kept running on purpose (a model server that took ten
    // minutes to load): commands that stop at an error leave them as they were found, detached,
    // rather than stopping them over a typo before the script's own `detach`. With
    // --continue-on-error every command ran, and the end is the script's own.
    if attachedState != nil && status == 1 && !arguments.continueOnError && !shell.detachRequested {
        await servers.detach()
        let live = await servers.liveHandles.map(\.description)
        if !live.isEmpty {
            console.warning("stopped at an error in attached session \(sessionName): leaving \(live.joined(separator: " ")) running; "
                + "resume with: bench --attach \(sessionName), or stop them with: bench --cleanup \(sessionName)")
        }
    }

    // What happened after the last command (a server or monitor that died) has no next prompt to show it.
    for notice in session.takeNotices() { console.info(notice) }

    // No orphans: whatever ended the shell (exit, Ctrl-D, end of input, a failed replay, SIGTERM or
    // SIGHUP during a command), its servers stop with it, unless they were detached (by `detach`, or above).
    let monitorsLeft = await monitors.stopAll()
    let stoppedMonitors = monitorsLeft.filter(\.before.canQuery).map(\.handle.description)
    if !stoppedMonitors.isEmpty { console.info("stopped \(stoppedMonitors.joined(separator: " ")) on exit") }
    // A monitor that died is not one bench stopped: what it left running went quietly.
    for (handle, before) in monitorsLeft where !before.canQuery { console.info("\(handle) had died: \(before)") }
    let detached = await servers.isDetached
    if !detached {
        let stopped = await servers.stopAll(grace: .seconds(10))
        if !stopped.isEmpty { console.info("stopped \(stopped.map(\.description).joined(separator: " ")) on exit") }
    }
    // Stopping adds its own (a state.json that could not be updated): said too, before leaving.
    for notice in session.takeNotices() { console.info(notice) }
    SessionOpening.close(opened, sessionsRoot: sessionsRoot, record: record, keepWorkingFiles: detached)
    return interrupts.finalStatus(status)
}

exit(await runBench())
