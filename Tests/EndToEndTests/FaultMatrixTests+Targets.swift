import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// The target of a run lost mid-run: killed, for every client kind, or its SLURM node gone.
extension FaultMatrixTests {
    /// Starts `server`, runs `client` against it for 5 s, and calls `lose` a second into the run;
    /// returns bench's exit status, the seconds it took to exit after `lose`, its stderr and the result.
    private func loseTargetMidRun(session: String, server: String, client: String, lose: (_ s1: [String: Any]) throws -> Void)
        throws -> (status: Int32, exitAfter: TimeInterval, stderr: String, result: [String: Any]) {
        let live = try StreamingBench(bench, ["--session", session])
        live.send(server)
        live.send("client run \(client) --target s1 --duration 5s --warmup 0s --quiet")
        let events = bench.directory.appendingPathComponent("sessions/\(session)/events.jsonl")
        BenchProcess.waitUntil(60, "\(session): the run to start") {
            (try? String(contentsOf: events, encoding: .utf8))?.contains("run-started") == true || !live.process.isRunning
        }
        Thread.sleep(forTimeInterval: 1)
        let s1 = try XCTUnwrap(ServiceProbes.servers(in: bench.directory, session: session)["s1"], live.stderr)
        try lose(s1)
        let lost = Date()
        let status = live.finish()
        let exitAfter = Date().timeIntervalSince(lost)
        let data = try Data(contentsOf: bench.directory.appendingPathComponent("sessions/\(session)/runs/r1.json"))
        let result = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        assertIntact(bench.directory.appendingPathComponent("sessions"), session)
        return (status, exitAfter, live.stderr, result)
    }

    /// Outcome: a target killed mid-run ends the run within a second, long before its duration, as
    /// `target-failed` (or `failed` if nothing had succeeded) with its errors by kind; bench says what
    /// happened; the exit code follows the status (1 only for `failed`). For http/nginx, redis/redis-server, openai/llama-server.
    func testTargetKilledMidRunEndsTheRunWithItsErrorsForEveryClientKind() throws {
        for (server, client, recipe) in [("nginx", "nginx-get --concurrency 2", "nginx"),
                                         ("redis", "redis-get-set --concurrency 2", "redis"),
                                         ("llama-smollm2", "chat-short --rate 4", "llama-smollm2")] {
            let (status, exitAfter, stderr, result) = try loseTargetMidRun(session: "kill-\(recipe)", server: "server start \(server)", client: client) { s1 in
                let pid = try XCTUnwrap(ServiceProbes.pid(s1))
                kill(-pid, SIGKILL)
            }
            let runStatus = result["status"] as? String
            XCTAssertTrue(["target-failed", "failed"].contains(runStatus), "\(recipe): \(result)")
            XCTAssertEqual(status, runStatus == "failed" ? 1 : 0, "\(recipe): the exit code follows the run's status\n\(stderr)")
            XCTAssertLessThan(exitAfter, 2.5, "\(recipe): the run ended when its target died, not at the end of its 5 s")
            XCTAssertTrue((result["status_reason"] as? String)?.contains("target s1 failed during the run: s1 (\(recipe)) killed(SIGKILL)") == true,
                          "\(recipe): \(result["status_reason"] ?? "no reason")")
            XCTAssertTrue(stderr.contains("s1 (\(recipe)) killed(SIGKILL) at"), "\(recipe): bench says so\n\(stderr)")
            let errors = try XCTUnwrap((result["counts"] as? [String: Any])?["errors"] as? [String: Int], "\(recipe)")
            XCTAssertGreaterThan(errors.values.reduce(0, +), 0, "\(recipe): the requests the death cut short are errors: \(errors)")
            // Only the kinds a dead server causes: refused connections, closed ones, streams cut short.
            XCTAssertEqual(errors.filter { $0.value > 0 && !["connect", "closed", "protocol"].contains($0.key) }, [:], "\(recipe): \(errors)")
        }
    }

    /// Outcome: the SLURM node of a server's job lost mid-run: bench says the job ended `NODE_FAIL`, and
    /// the run against it ends `target-failed` with that reason.
    func testSlurmNodeLostMidRunIsNoticedAndRecordedByTheRun() throws {
        let sinfo = try SlurmTests.slurm(["sinfo", "-h", "-o", "%n %T"])
        guard sinfo.status == 0, let line = sinfo.stdout.split(separator: "\n").first, line.contains("idle") || line.contains("mix") else {
            XCTFail("no idle SLURM node here (sinfo: \(sinfo.stdout)\(sinfo.stderr)); start the cluster with scripts/start-slurm.sh")
            return
        }
        let node = String(line.split(separator: " ")[0])
        // ReturnToService=2 brings the node back once its slurmd reports again; resume it in case it did not.
        defer {
            _ = try? SlurmTests.slurm(["scontrol", "update", "nodename=\(node)", "state=resume"])
            BenchProcess.waitUntil(30, "node \(node) to be back") {
                (try? SlurmTests.slurm(["sinfo", "-h", "-n", node, "-o", "%T"]).stdout.hasPrefix("idle")) ?? false
            }
        }
        let (status, exitAfter, stderr, result) = try loseTargetMidRun(session: "node", server: "server start redis --on slurm",
                                                                       client: "redis-get-set --concurrency 2") { _ in
            XCTAssertEqual(try SlurmTests.slurm(["scontrol", "update", "nodename=\(node)", "state=down", "reason=bench-fault-test"]).status, 0)
        }
        XCTAssertEqual(result["status"] as? String, "target-failed", "\(result)")
        XCTAssertEqual(status, 0, stderr)
        XCTAssertLessThan(exitAfter, 3, "the run ended when the node went, not at the end of its 5 s")
        XCTAssertTrue((result["status_reason"] as? String)?.contains("target s1 failed during the run: s1 (redis) job NODE_FAIL") == true,
                      "\(result["status_reason"] ?? "no reason")")
        XCTAssertTrue(stderr.contains("s1 (redis) job NODE_FAIL"), "bench says so:\n\(stderr)")
        BenchProcess.waitUntil(20, "the session's job to leave the queue") { (try? SlurmTests.jobs(session: "node").isEmpty) ?? false }
    }
}
