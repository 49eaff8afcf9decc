import Foundation
import XCTest

/// The real `bench>` prompt in a terminal (tmux): completion, Ctrl-C, history, Ctrl-D — as a person types.
final class InteractiveShellTests: XCTestCase {
    var bench: BenchProcess!
    var socket: String!

    override func setUpWithError() throws {
        bench = try BenchProcess()
        socket = bench.directory.appendingPathComponent("tmux.sock").path
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux") else {
            throw XCTSkip("tmux is not installed (scripts/install-deps.sh installs it)")
        }
    }

    override func tearDown() {
        _ = try? tmux(["kill-server"])
        bench.cleanUp()
    }

    /// Runs a tmux client and returns what it printed.
    ///
    /// posix_spawn and waitpid rather than Foundation's Process: the tmux server the first client
    /// forks confuses Process's child tracking here, and waitUntilExit never returns.
    @discardableResult
    private func tmux(_ arguments: [String]) throws -> String {
        let outputPath = bench.directory.appendingPathComponent("tmux-\(UUID().uuidString).out").path
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        let quoted = (["/usr/bin/tmux", "-S", socket] + arguments).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }
        let shellCommand = quoted.joined(separator: " ") + " </dev/null >'\(outputPath)' 2>&1"
        var pid: pid_t = 0
        let words: [String] = ["/bin/sh", "-c", shellCommand]
        let argv: [UnsafeMutablePointer<CChar>?] = words.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let spawned = posix_spawn(&pid, "/bin/sh", nil, nil, argv, environ)
        guard spawned == 0 else { throw NSError(domain: "tmux", code: Int(spawned)) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        return (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
    }

    private func screen() -> String { (try? tmux(["capture-pane", "-p", "-t", "bench"])) ?? "" }

    private func send(_ keys: String...) throws { try tmux(["send-keys", "-t", "bench"] + keys) }

    private func waitForScreen(_ what: String, file: StaticString = #filePath, line: UInt = #line, _ condition: (String) -> Bool) {
        BenchProcess.waitUntil(10, "\(what); screen:\n\(screen())", file: file, line: line) { condition(screen()) }
    }

    /// The last line that starts with the prompt, without trailing blanks (tmux drops them).
    private func promptLine(_ screen: String) -> String {
        let line = screen.split(separator: "\n").last { $0.hasPrefix("bench>") }.map(String.init) ?? ""
        return line.replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
    }

    func testCompletionCancelHistoryAndExit() throws {
        let env = bench.environment
        let command = "cd '\(bench.directory.path)' && env HOME='\(env["HOME"]!)' BENCH_HISTORY='\(env["BENCH_HISTORY"]!)' TERM=xterm '\(BenchProcess.binary.path)' --session tty"
        try tmux(["new-session", "-d", "-s", "bench", "-x", "150", "-y", "40", command])
        waitForScreen("the prompt") { self.promptLine($0) == "bench>" }

        // A prefix and Tab complete the command word.
        try send("ser", "Tab")
        waitForScreen("'server' completed") { self.promptLine($0) == "bench> server" }
        // Two Tabs with several candidates list them.
        try send("Tab")
        try send("Tab")
        waitForScreen("subcommands listed") { $0.contains("info") && $0.contains("list") }
        // Recipe names complete from the shipped recipes.
        try send("info re", "Tab")
        waitForScreen("recipe name completed") { self.promptLine($0) == "bench> server info redis" }
        try send("Enter")
        waitForScreen("recipe info shown") { $0.contains("sha256:") }

        // Ctrl-C discards the line being typed and gives a fresh prompt.
        try send("echo discarded-line")
        try send("C-c")
        waitForScreen("fresh prompt after Ctrl-C") { $0.contains("bench> echo discarded-line^C\nbench>") }
        try send("echo visible-line", "Enter")
        waitForScreen("echo output") { $0.contains("\nvisible-line") }
        XCTAssertFalse(screen().contains("\ndiscarded-line"))

        // Up recalls the last line from history.
        try send("Up")
        waitForScreen("history recall") { self.promptLine($0) == "bench> echo visible-line" }
        try send("C-u")

        // Errors print and the prompt comes back.
        try send("bogus", "Enter")
        waitForScreen("error shown") { $0.contains("error: unknown command 'bogus'") }

        // Live handles complete too.
        try send("server start redis", "Enter")
        waitForScreen("redis ready") { $0.contains("s1 redis: ready in") }
        try send("server stop ", "Tab")
        waitForScreen("handle completed") { self.promptLine($0) == "bench> server stop s1" }
        try send("Enter")
        waitForScreen("stopped") { $0.contains("stopped s1") }

        // Ctrl-D leaves; the history file kept the typed lines.
        try send("C-d")
        BenchProcess.waitUntil(10, "bench to exit") { !(try! self.tmux(["list-sessions"])).contains("bench:") }
        let history = try String(contentsOfFile: env["BENCH_HISTORY"]!, encoding: .utf8)
        XCTAssertTrue(history.contains("visible-line"), history)
        XCTAssertFalse(history.contains("discarded-line"), history)
        // The failed command is kept in the session script as a comment.
        let script = try bench.read("sessions/tty.bench")
        XCTAssertTrue(script.contains("# failed: bogus"), script)
        XCTAssertTrue(script.contains("\necho visible-line\n"), script)
    }

    /// Closing the terminal (SIGHUP, then writes to a dead terminal) stops the session's servers.
    func testHangingUpTheTerminalStopsTheServers() throws {
        let env = bench.environment
        let command = "cd '\(bench.directory.path)' && env HOME='\(env["HOME"]!)' BENCH_HISTORY='\(env["BENCH_HISTORY"]!)' BENCH_CACHE='\(env["BENCH_CACHE"]!)' TERM=xterm '\(BenchProcess.binary.path)' --session hup"
        try tmux(["new-session", "-d", "-s", "bench", "-x", "150", "-y", "40", command])
        waitForScreen("the prompt") { self.promptLine($0) == "bench>" }
        try send("server start nginx", "Enter")
        waitForScreen("nginx ready") { $0.contains("s1 nginx: ready in") }
        let pid = try XCTUnwrap(ServiceProbes.pid(ServiceProbes.servers(in: bench.directory, session: "hup")["s1"]))
        try tmux(["kill-server"])
        BenchProcess.waitUntil(15, "nginx stopped after the hangup") { !ServiceProbes.groupIsAlive(pid) }
    }
}
