import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// A full disk (ENOSPC on a small tmpfs as `--sessions-dir`) at each of bench's writes, and a read-only one.
extension FaultMatrixTests {
    /// A bench whose sessions folder is a small tmpfs of its own, counting its commands (`set timing on`).
    func diskSession(_ name: String, kilobytes: Int = 1024, arguments: [String] = ["--continue-on-error"]) throws -> (ScratchMount, StreamingBench) {
        let mount = try ScratchMount(at: bench.directory.appendingPathComponent("disk-\(name)"), kilobytes: kilobytes)
        let live = try StreamingBench(bench, arguments + ["--sessions-dir", mount.directory.path, "--session", name])
        addTeardownBlock { [bench] in
            // Whatever a failed test left running there, stopped before the tmpfs goes.
            if live.process.isRunning { kill(live.process.processIdentifier, SIGTERM) }
            _ = live.waitForExit()
            _ = try? bench?.run(["--sessions-dir", mount.directory.path, "--cleanup"])
            mount.unmount()
        }
        live.startCounting()
        return (mount, live)
    }

    /// The command's failure is kept in the script as a comment, or bench said on stderr that it could not keep it.
    func assertKeptOrSaid(_ failedLine: String, script: URL, stderr: String, file: StaticString = #filePath, line: UInt = #line) {
        let text = (try? String(contentsOf: script, encoding: .utf8)) ?? ""
        let kept = text.contains("# failed: \(failedLine)")
        let said = stderr.contains("warning: could not keep the failed command in the script: cannot write \(script.path): No space left on device")
        XCTAssertTrue(kept != said, "'\(failedLine)': kept in the script: \(kept), said on stderr: \(said)\n\(stderr)\n\(text)", file: file, line: line)
    }

    func assertIntact(_ root: URL, _ name: String, file: StaticString = #filePath, line: UInt = #line) {
        let check = SessionFileChecker.check(sessionsRoot: root, name: name)
        XCTAssertEqual(check.problems, [], "session \(name): files that do not parse", file: file, line: line)
        XCTAssertEqual(check.temporaries, [], "session \(name): temporaries left behind", file: file, line: line)
    }

    /// The pid in `sN RECIPE: started pid N` on stderr.
    func startedPid(_ handle: String, in stderr: String) -> Int32? {
        guard let range = stderr.range(of: #"\#(handle) [a-z0-9-]+: started pid (\d+)"#, options: .regularExpression) else { return nil }
        return Int32(stderr[range].split(separator: " ").last ?? "")
    }

    private func size(_ url: URL) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: url.path))?[.size] as? Int) ?? 0
    }

    // MARK: ENOSPC

    /// Outcome: an append the full disk cuts short is cut back off: the script loses that line only, and says so.
    func testFullDiskWhileAppendingToTheScriptCutsTheLineBackOff() throws {
        let (mount, live) = try diskSession("append")
        let script = mount.directory.appendingPathComponent("append.bench")
        // Ten bytes left in the script's last block: the next line fits in part, then the disk is full.
        let block = Int(sysconf(Int32(_SC_PAGESIZE)))
        var pad = (2 * block - 10 - size(script) % block - "echo \n".utf8.count) % block
        if pad < 1 { pad += block }
        live.run("echo " + String(repeating: "x", count: pad))
        XCTAssertEqual(size(script) % block, block - 10, "the padding left ten bytes in the last block")
        let before = try String(contentsOf: script, encoding: .utf8)
        mount.fill()

        let unrecorded = live.run("set color off")
        XCTAssertTrue(unrecorded.contains("<stdin>:3: error: ran, but could not be recorded: cannot write \(script.path): No space left on device"), unrecorded)
        XCTAssertTrue(unrecorded.contains("warning: could not keep the failed command in the script: cannot write \(script.path): No space left on device"), unrecorded)
        let failed = live.run("zzfault")
        XCTAssertTrue(failed.contains("<stdin>:4: error: unknown command 'zzfault'"), failed)
        XCTAssertTrue(failed.contains("warning: could not keep the failed command in the script"), failed)
        XCTAssertEqual(try String(contentsOf: script, encoding: .utf8), before, "nothing of the refused lines is left in the script")

        mount.unfill()
        live.run("set color auto")
        XCTAssertEqual(live.finish(), 1, live.stderr)
        let after = try String(contentsOf: script, encoding: .utf8)
        XCTAssertEqual(after, before + "set color auto\n", "the next line starts a line of its own")
        assertIntact(mount.directory, "append")
    }

    /// Outcome: a recipe copy the full disk refuses fails the command naming the copy; the recipe is copied and listed when it is next used.
    func testFullDiskAtARecipeCopyFailsTheCommandAndCopiesItLater() throws {
        let (mount, live) = try diskSession("recipe")
        let script = mount.directory.appendingPathComponent("recipe.bench")
        let copy = mount.directory.appendingPathComponent("recipe/recipes/servers/memcached.yaml")
        mount.fill()
        let err = live.run("server start memcached")
        XCTAssertTrue(err.contains("<stdin>:2: error: cannot write \(copy.path): No space left on device"), err)
        assertKeptOrSaid("server start memcached", script: script, stderr: err)
        XCTAssertFalse(FileManager.default.fileExists(atPath: copy.path))

        mount.unfill()
        live.run("server start memcached")
        let pid = try XCTUnwrap(startedPid("s1", in: live.stderr), live.stderr)
        XCTAssertEqual(live.finish(), 1, live.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: copy.path), "copied when it was used")
        let text = try String(contentsOf: script, encoding: .utf8)
        XCTAssertEqual(text.components(separatedBy: "# recipe: server memcached sha256=").count - 1, 1, text)
        XCTAssertNotNil(text.range(of: #"# recipe: server memcached sha256=[0-9a-f]+ \([^)]+\)\nserver start memcached  # -> s1\n"#, options: .regularExpression),
                        "the recipe line comes right before the command that used it:\n\(text)")
        BenchProcess.waitUntil(10, "memcached stopped when the batch ended") { !ServiceProbes.groupIsAlive(pid) }
        assertIntact(mount.directory, "recipe")
    }

    /// Outcome: a state.json the full disk refuses fails `server start` naming it, and the server it started is stopped.
    func testFullDiskAtStateJsonFailsTheStartAndStopsTheServer() throws {
        let (mount, live) = try diskSession("state")
        let script = mount.directory.appendingPathComponent("state.bench")
        let state = mount.directory.appendingPathComponent("state/state.json")
        live.run("server start redis")
        let first = try XCTUnwrap(startedPid("s1", in: live.stderr), live.stderr)
        mount.fill()
        let err = live.run("server start redis")
        XCTAssertTrue(err.contains("<stdin>:3: error: s2 redis: cannot write \(state.path): No space left on device; stopped it, "
            + "as a server missing from state.json would outlive a killed bench unnoticed"), err)
        assertKeptOrSaid("server start redis", script: script, stderr: err)
        let refused = try XCTUnwrap(startedPid("s2", in: err), err)
        BenchProcess.waitUntil(10, "the server state.json could not list to be stopped") { !ServiceProbes.groupIsAlive(refused) }
        XCTAssertTrue(ServiceProbes.groupIsAlive(first), "s1 runs on")
        let listed = (try? JSONSerialization.jsonObject(with: Data(contentsOf: state)) as? [String: Any])?["servers"] as? [[String: Any]]
        XCTAssertEqual(listed?.compactMap { $0["handle"] as? String }, ["s1"], "state.json is as it was before the refused start")

        mount.unfill()
        let again = live.run("server start redis")
        XCTAssertTrue(again.contains("s2 redis: ready"), "the refused start gave its handle back:\n\(again)")
        let second = try XCTUnwrap(startedPid("s2", in: again))
        XCTAssertEqual(live.finish(), 1, live.stderr)
        // The batch's end stops the session's servers, as always.
        for pid in [first, second] {
            BenchProcess.waitUntil(10, "pid \(pid) stopped when the batch ended") { !ServiceProbes.groupIsAlive(pid) }
        }
        assertIntact(mount.directory, "state")
    }

    /// Outcome: a run or an export the full disk refuses fails naming the file; the run's numbers are still printed and `show` has them.
    func testFullDiskAtARunResultOrExportFailsTheCommandAndKeepsTheNumbers() throws {
        let (mount, live) = try diskSession("result")
        let script = mount.directory.appendingPathComponent("result.bench")
        let run = "client run redis-get-set --target s1 --requests 200 --warmup 0s --concurrency 2 --quiet"
        live.run("server start redis")
        live.run(run)
        live.run("monitor start sampler")
        live.run("monitor attach m1 s1")
        mount.fill()

        let result = mount.directory.appendingPathComponent("result/runs/r2.json")
        let err = live.run(run)
        XCTAssertTrue(err.contains("<stdin>:6: error: r2 completed, but its result was not saved: cannot write \(result.path): "
            + "No space left on device; 'show r2' prints it until bench exits"), err)
        assertKeptOrSaid(run, script: script, stderr: err)
        XCTAssertTrue(live.stdout.contains("r2  redis-get-set [redis] -> s1"), "the numbers are printed all the same:\n\(live.stdout)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: result.path))
        let shown = live.stdout.count
        live.run("show r2")
        XCTAssertTrue(live.stdout.dropFirst(shown).contains("sent 200"), String(live.stdout.dropFirst(shown)))

        let export = mount.directory.appendingPathComponent("result/monitors/m1/export-last-2s.json")
        let exportErr = live.run("monitor export m1 --last 2s")
        XCTAssertTrue(exportErr.contains("<stdin>:8: error: cannot write \(export.path): No space left on device"), exportErr)
        assertKeptOrSaid("monitor export m1 --last 2s", script: script, stderr: exportErr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: export.path))
        assertIntact(mount.directory, "result")

        mount.unfill()
        live.run(run)
        live.run("monitor export m1 --last 2s")
        XCTAssertEqual(live.finish(), 1, live.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: mount.directory.appendingPathComponent("result/runs/r3.json").path))
        XCTAssertTrue(FileManager.default.fileExists(atPath: export.path))
        assertIntact(mount.directory, "result")
    }

    // MARK: Read-only

    /// Outcome: a read-only sessions folder is refused at start, naming the folder and the reason (exit 2); nothing is written.
    func testReadOnlySessionsFolderIsRefusedAtStartNamingIt() throws {
        let mount = try ScratchMount(at: bench.directory.appendingPathComponent("ro"), kilobytes: 256, readOnly: true)
        defer { mount.unmount() }
        let result = try bench.run(["--sessions-dir", mount.directory.path, "--session", "ro"], stdin: "server start redis\n")
        XCTAssertEqual(result.status, 2, result.stderr)
        // bench names it as given, relative to where it runs.
        XCTAssertEqual(result.stderr, "bench: cannot open session folder ro/ro: Read-only file system; "
            + "choose a writable folder with --sessions-dir DIR or $BENCH_SESSIONS\n")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: mount.directory.path), [])
    }

    /// Outcome: a sessions folder turned read-only mid-session fails each later write naming its file; the servers still stop at the end.
    func testSessionsFolderTurnedReadOnlyFailsEachWriteNamingIt() throws {
        let (mount, live) = try diskSession("rofs")
        let run = "client run redis-get-set --target s1 --requests 200 --warmup 0s --concurrency 2 --quiet"
        live.run("server start redis")
        live.run(run)
        let pid = try XCTUnwrap(startedPid("s1", in: live.stderr), live.stderr)
        try mount.makeReadOnly()

        let session = mount.directory.appendingPathComponent("rofs")
        let runErr = live.run(run)
        XCTAssertTrue(runErr.contains("<stdin>:4: error: r2 completed, but its result was not saved: cannot write \(session.path)/runs/r2.json: Read-only file system"), runErr)
        let startErr = live.run("server start redis")
        XCTAssertTrue(startErr.contains("<stdin>:5: error: cannot create folder \(session.path)/data/s2: Read-only file system"), startErr)
        // The end of the batch stops s1; that it could not write the stop down is the last thing it says.
        XCTAssertEqual(live.finish(), 1, live.stderr)
        XCTAssertEqual(live.process.terminationReason, .exit, "no crash")
        BenchProcess.waitUntil(10, "s1 stopped") { !ServiceProbes.groupIsAlive(pid) }
        XCTAssertTrue(live.stderr.hasSuffix("stopped s1 on exit\nwarning: could not update the session's state: cannot write \(session.path)/state.json: Read-only file system\n"),
                      live.stderr)
        assertIntact(mount.directory, "rofs")
    }
}
