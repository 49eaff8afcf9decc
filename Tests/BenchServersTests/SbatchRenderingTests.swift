import BenchCore
import BenchPlacement
@testable import BenchServers
import Foundation
import ProcessTestSupport
import XCTest

/// The sbatch scripts bench renders, compared as text with golden files (Apptainer is not installed
/// here, so container wrapping can only be checked this way). `BENCH_UPDATE_GOLDEN=1` rewrites them.
final class SbatchRenderingTests: XCTestCase {
    private static let goldenDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")
    private var root = ""

    override func setUpWithError() throws {
        root = try makeTemporaryDirectory()
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: root)
    }

    /// A manager over the golden recipes, with a SLURM orchestrator seeing `environment`.
    private func manager(_ environment: [String: String]) throws -> ServerManager {
        let catalog = RecipeCatalog(directories: [RecipeDirectory(url: Self.goldenDirectory.appendingPathComponent("recipes"), origin: .option)])
        let session = try Session(name: "golden", sessionsRoot: URL(fileURLWithPath: root), catalog: catalog, environment: environment,
                                  secrets: Secrets.load(environment: environment, dotenv: nil))
        return ServerManager(session: session, cacheDirectory: "/opt/bench-cache",
                             slurm: SlurmOrchestrator(environment: environment))
    }

    /// The rendered text with this run's temporary folder replaced by a fixed one.
    private func normalized(_ text: String) -> String {
        text.replacingOccurrences(of: root, with: "/SESSIONS")
    }

    private func assertGolden(_ text: String, _ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let url = Self.goldenDirectory.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["BENCH_UPDATE_GOLDEN"] == "1" {
            try text.write(to: url, atomically: true, encoding: .utf8)
            return
        }
        let expected = try String(contentsOf: url, encoding: .utf8)
        if text != expected {
            let diff = zip(text.split(separator: "\n", omittingEmptySubsequences: false), expected.split(separator: "\n", omittingEmptySubsequences: false))
                .enumerated().first { $0.element.0 != $0.element.1 }
            XCTFail("\(name) differs" + (diff.map { " at line \($0.offset + 1):\n  got:      \($0.element.0)\n  expected: \($0.element.1)" } ?? " in length"),
                    file: file, line: line)
        }
    }

    func testArgvServiceWithExporterAndClusterSettings() async throws {
        let servers = try manager(["SLURM_PARTITION": "batch", "SLURM_QOS": "normal", "SLURM_ACCOUNT": "p200123-secret", "PATH": "/usr/bin:/bin"])
        let rendered = try await servers.dryRun(.init(recipe: "kv", orchestrator: "slurm"))
        XCTAssertEqual(rendered.count, 1)
        XCTAssertEqual(rendered[0].handle.description, "s1")
        // The account goes on sbatch's command line as a variable name, never into the script.
        XCTAssertEqual(normalized(rendered[0].command), "sbatch --parsable --account=${SLURM_ACCOUNT} /SESSIONS/golden/slurm/s1.sbatch")
        XCTAssertFalse(rendered[0].script.contains("p200123"))
        try assertGolden(normalized(rendered[0].script), "kv.sbatch")
        // A dry run takes no handle.
        let again = try await servers.dryRun(.init(recipe: "kv", orchestrator: "slurm"))
        XCTAssertEqual(again[0].handle.description, "s1")
    }

    func testContainerGPUScriptAndPlacementOverrides() async throws {
        let servers = try manager(["SLURM_TIME_LIMIT": "08:00:00", "PATH": "/usr/bin:/bin"])
        let placement = SlurmPlacement(partition: "gpu-short", timeLimit: BenchDuration(seconds: 5400), nodes: 2)
        let rendered = try await servers.dryRun(.init(recipe: "llm-gpu", settings: ["model": "it's/a model"], orchestrator: "slurm", placement: placement))
        try assertGolden(normalized(rendered[0].script), "llm-gpu.sbatch")
        XCTAssertEqual(normalized(rendered[0].command), "sbatch --parsable /SESSIONS/golden/slurm/s1.sbatch")
    }

    func testCountGivesOneJobPerInstanceWithItsOwnFiles() async throws {
        let servers = try manager(["PATH": "/usr/bin:/bin"])
        let rendered = try await servers.dryRun(.init(recipe: "kv", count: 2, orchestrator: "slurm"))
        XCTAssertEqual(rendered.map(\.handle.description), ["s1", "s2"])
        XCTAssertTrue(rendered[1].script.contains("#SBATCH --job-name=bench-golden-s2"))
        XCTAssertTrue(rendered[1].script.contains("/golden/slurm/discovery/s2.json"))
        XCTAssertFalse(rendered[1].script.contains("discovery/s1.json"))
    }

    func testRenderedScriptsAreValidBash() async throws {
        let servers = try manager(["PATH": "/usr/bin:/bin"])
        for recipe in ["kv", "llm-gpu"] {
            let script = try await servers.dryRun(.init(recipe: recipe, orchestrator: "slurm"))[0].script
            let path = root + "/\(recipe).sbatch"
            try script.write(toFile: path, atomically: true, encoding: .utf8)
            let check = try await CommandRunner.run(["bash", "-n", path], environment: testEnvironment)
            XCTAssertTrue(check.succeeded, "\(recipe): bash -n: \(check.message)")
        }
    }

    func testPlacementOptionsNeedSlurm() async throws {
        let servers = try manager(["PATH": "/usr/bin:/bin"])
        do {
            _ = try await servers.start(.init(recipe: "kv", placement: SlurmPlacement(partition: "debug"))) { _ in }
            XCTFail("expected a usage error")
        } catch let error as BenchError {
            XCTAssertEqual(error.message, "--partition, --time and --nodes are for SLURM jobs: add --on slurm")
        }
        do {
            _ = try await servers.dryRun(.init(recipe: "kv"))
            XCTFail("expected a usage error")
        } catch let error as BenchError {
            XCTAssertEqual(error.message, "--dry-run shows the batch script of a SLURM job: add --on slurm")
        }
    }

    func testClientJobScripts() throws {
        let renderer = ClientJobRenderer(settings: SlurmSettings(partition: "batch", qos: "short"))
        let job = ClientJobRenderer.Job(
            name: "bench-golden-r3", nodes: 2, tasksPerNode: 1, partition: nil, timeLimit: BenchDuration(seconds: 330),
            partsDirectory: "/SESSIONS/golden/runs/r3.parts", workingDirectory: "/home/user/exp",
            taskArgv: [["/opt/bench", "-c", "client run redis-get-set --target 10.0.0.5:6379 --concurrency 25 --seed 42"],
                       ["/opt/bench", "-c", "client run redis-get-set --target 10.0.0.5:6379 --concurrency 25 --seed 43"]])
        try assertGolden(renderer.batchScript(job) + "---- task.sh\n" + renderer.taskScript(job), "client-job.sbatch")
    }

    func testShellWordsKeepRecipeTextLiteral() {
        XCTAssertEqual(SbatchQuoting.word("plain-word_1.2"), "plain-word_1.2")
        XCTAssertEqual(SbatchQuoting.word(""), "''")
        XCTAssertEqual(SbatchQuoting.word("$HOME `id` it's"), "'$HOME `id` it'\\''s'")
        let port = SbatchQuoting.reference(SbatchQuoting.portVariable("main"))
        XCTAssertEqual(SbatchQuoting.word("--listen=" + port), "--listen=\"${BENCH_PORT_MAIN}\"")
        XCTAssertEqual(SbatchQuoting.portVariable("grpc-api"), "BENCH_PORT_GRPC_API")
    }

    func testSessionFromJobName() {
        XCTAssertEqual(SlurmJob.session(fromJobName: "bench-exp-1-s3"), "exp-1")
        XCTAssertEqual(SlurmJob.session(fromJobName: SlurmOrchestrator.jobName(session: "golden", handle: Handle(kind: .run, number: 2))), "golden")
        XCTAssertNil(SlurmJob.session(fromJobName: "bench-s1"), "no session part")
        XCTAssertNil(SlurmJob.session(fromJobName: "bench-"))
        XCTAssertNil(SlurmJob.session(fromJobName: "train-resnet-s1"))
    }

    func testJobInfoFromScontrol() throws {
        let line = "JobId=42 JobName=bench-x-s1 UserId=root(0) GroupId=root(0) MCS_label=N/A Priority=1 Nice=0 Account=(null) QOS=(null) "
            + "JobState=FAILED Reason=NonZeroExitCode Dependency=(null) Requeue=0 Restarts=0 BatchFlag=1 Reboot=0 ExitCode=3:0 "
            + "RunTime=00:00:02 TimeLimit=01:00:00 TimeMin=N/A Partition=debug NodeList=vm BatchHost=vm "
            + "Command=/tmp/a dir/s1.sbatch WorkDir=/tmp/a dir"
        let info = try XCTUnwrap(SlurmJobInfo.parse(scontrolLine: line))
        XCTAssertEqual(info.id, "42")
        XCTAssertEqual(info.state, "FAILED")
        XCTAssertEqual(info.exitCode, 3)
        XCTAssertEqual(info.nodes, "vm")
        XCTAssertEqual(info.partition, "debug")
        XCTAssertFalse(info.isActive)
        XCTAssertEqual(info.summary, "FAILED (exit 3, NonZeroExitCode)")
        let pending = try XCTUnwrap(SlurmJobInfo.parse(scontrolLine: "JobId=7 JobState=PENDING Reason=Resources NodeList=(null) ExitCode=0:0"))
        XCTAssertTrue(pending.isPending)
        XCTAssertNil(pending.nodes)
        XCTAssertEqual(pending.summary, "PENDING (Resources)")
        XCTAssertNil(SlurmJobInfo.parse(scontrolLine: "slurm_load_jobs error: Invalid job id specified"))
    }
}
