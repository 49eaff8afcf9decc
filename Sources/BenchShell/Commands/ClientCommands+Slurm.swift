import BenchClients
import BenchCore
import BenchPlacement
import BenchServers
import Foundation

/// `client run … --on slurm`: the load generator runs as job steps on compute nodes, one bench agent
/// per task with its share of the load; the parts' results (with serialized histograms) are merged
/// exactly into one run, and kept beside it in `runs/rN.parts/`.
extension ClientCommands {
    /// Options that describe where the run goes or are replaced per part; the rest pass through to each agent.
    private static let perPartOptions: Set<String> = ["target", "port", "on", "nodes", "tasks-per-node", "partition", "time",
                                                      "concurrency", "rate", "requests", "seed", "quiet", "background"]

    static func runOnSlurm(_ invocation: Invocation, request: ClientRunRequest, context: CommandContext) async throws -> RunResult {
        guard let slurm = context.servers.slurm else { throw BenchError("no SLURM orchestrator in this bench; use --on local") }
        try slurm.control.checkAvailable()
        guard !invocation.flag("background") else { throw BenchError.usage("client run --on slurm: --background is not supported; the job runs in the foreground") }
        let nodes = invocation.integer("nodes") ?? 1
        let perNode = invocation.integer("tasks-per-node") ?? 1
        let partCount = nodes * perNode
        let plan = request.plan
        guard plan.concurrency >= partCount else {
            throw BenchError.usage("client run --on slurm: --concurrency \(plan.concurrency) is less than the \(partCount) parts (--nodes × --tasks-per-node); each part needs a connection")
        }
        if let requests = plan.requests, requests < partCount {
            throw BenchError.usage("client run --on slurm: --requests \(requests) is less than the \(partCount) parts")
        }
        await context.servers.noteSlurmUse()

        let session = context.session
        let handle = try session.handles.allocate(.run, label: request.recipe.name)
        do {
            return try await runJob(handle: handle, slurm: slurm, invocation: invocation, request: request, nodes: nodes, perNode: perNode,
                                    context: context)
        } catch {
            // Nothing was written under this handle's name: give the number back, as a failed local run does.
            if !FileManager.default.fileExists(atPath: session.directory.appendingPathComponent("runs/\(handle).json").path) {
                session.handles.discard([handle])
            }
            throw error
        }
    }

    private static func runJob(handle: Handle, slurm: SlurmOrchestrator, invocation: Invocation, request: ClientRunRequest, nodes: Int,
                               perNode: Int, context: CommandContext) async throws -> RunResult {
        let session = context.session
        let partCount = nodes * perNode
        let plan = request.plan
        let partsDirectory = try session.ensureDirectory().appendingPathComponent("runs/\(handle).parts").path
        try? FileManager.default.removeItem(atPath: partsDirectory)
        try FileManager.default.createDirectory(atPath: partsDirectory, withIntermediateDirectories: true)

        // Each part gets its share of connections, rate and requests, and its own seed (so parts do not send the same keys/prompts).
        func share(_ total: Int, _ index: Int) -> Int { total / partCount + (index < total % partCount ? 1 : 0) }
        var passThrough: [String] = []
        for option in invocation.spec.options where !perPartOptions.contains(option.name) {
            if option.isFlag {
                if invocation.flag(option.name) { passThrough.append("--\(option.name)") }
            } else {
                for value in invocation.optionList(option.name) { passThrough += ["--\(option.name)", value] }
            }
        }
        let benchPath = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let address = request.target.host.contains(":") ? "[\(request.target.host)]:\(request.target.port)" : "\(request.target.host):\(request.target.port)"
        let tasks: [[String]] = (0..<partCount).map { index in
            var words = ["client", "run", request.recipe.name, "--target", address, "--quiet",
                         "--concurrency", String(share(plan.concurrency, index)), "--seed", String(request.seed &+ UInt64(index))]
            if plan.mode == .open, let rate = plan.rate { words += ["--rate", String(rate / Double(partCount))] }
            if let requests = plan.requests { words += ["--requests", String(share(requests, index))] }
            words += passThrough
            return [benchPath, "--recipes", session.directory.appendingPathComponent("recipes").path, "--sessions-dir", partsDirectory,
                    "--session", "part-\(index)", "-c", ShellQuoting.join(words)]
        }
        // Time for the load itself, plus start-up and a margin; --time overrides.
        let loadSeconds = (plan.duration ?? 600) + plan.warmup
        let timeLimit = invocation.duration("time") ?? BenchDuration(seconds: (loadSeconds + 300).rounded(.up))
        let job = ClientJobRenderer.Job(
            name: SlurmOrchestrator.jobName(session: session.name, handle: handle), nodes: nodes, tasksPerNode: perNode,
            partition: invocation.option("partition"), timeLimit: timeLimit, partsDirectory: partsDirectory,
            workingDirectory: FileManager.default.currentDirectoryPath, taskArgv: tasks)
        let renderer = ClientJobRenderer(settings: slurm.settings)
        try FileWriting.writeAtomically(Data(renderer.taskScript(job).utf8), to: URL(fileURLWithPath: job.taskScriptPath))
        try FileWriting.writeAtomically(Data(renderer.batchScript(job).utf8), to: URL(fileURLWithPath: job.scriptPath))

        let console = context.console
        let quiet = invocation.flag("quiet")
        let id = try await slurm.control.submit(scriptPath: job.scriptPath, extraArguments: slurm.submitArguments(redacted: false))
        if !quiet { console.info("\(handle) \(request.recipe.name): submitted job \(id) (\(job.name)): \(partCount) part(s) on \(nodes) node(s)") }

        // Follow the job; Ctrl-C cancels it and keeps the parts that finished.
        var interrupted = false
        var last: SlurmJobInfo?
        var lastLine = ""
        while true {
            if Task.isCancelled {
                interrupted = true
                slurm.control.cancelNow([id])
                break
            }
            guard let info = try await slurm.control.info(id) else { break }
            let previous = last
            last = info
            if !info.isActive { break }
            let total = plan.duration.map { " of \(BenchDuration(seconds: $0 + plan.warmup))" } ?? ""
            let line = "\(handle) job \(id) \(info.summary)" + (info.isRunning ? ", \(info.runTime ?? "-")\(total)" : "")
            if !quiet && line != lastLine {
                // At a terminal one live line; in batch a line per state change (pending reason included).
                if console.isInteractive {
                    console.progress(line)
                } else if info.summary != previous?.summary {
                    console.info("\(handle) job \(id) \(info.summary)")
                }
                lastLine = line
            }
            do {
                try await Task.sleep(for: .seconds(1))
            } catch {
                continue  // cancelled: the loop cancels the job
            }
        }
        if console.isInteractive && !quiet { console.progress(nil) }

        // Collect the parts.
        var parts: [RunResult] = []
        var partFiles: [String] = []
        var missing: [String] = []
        for index in 0..<partCount {
            let file = partsDirectory + "/part-\(index)/runs/r1.json"
            if let data = FileManager.default.contents(atPath: file), let part = try? RunResult.decode(from: data) {
                parts.append(part)
                partFiles.append(RecipeCommands.displayPath(URL(fileURLWithPath: file)))
            } else {
                let tail = LogTail.lastLines(path: partsDirectory + "/part-\(index).err", count: 4)
                missing.append("part \(index)" + (tail.isEmpty ? "" : ":\n    " + tail.joined(separator: "\n    ")))
            }
        }
        guard !parts.isEmpty else {
            let state = last.map { "job \(id) \($0.summary)" } ?? "job \(id)"
            let jobTail = LogTail.lastLines(path: partsDirectory + "/job.err", count: 4)
            throw BenchError("client run --on slurm: \(interrupted ? "interrupted; " : "")\(state): no part wrote a result\n  "
                             + (missing + (jobTail.isEmpty ? [] : ["job:\n    " + jobTail.joined(separator: "\n    ")])).joined(separator: "\n  "))
        }
        var merged = RunResult.merge(parts)
        merged.run = handle.description
        merged.session = session.name
        merged.target = RunResult.Target(given: request.target.given, host: request.target.host, port: request.target.port,
                                         portName: request.target.portName)
        merged.workload.seed = Int(request.seed)
        merged.parts = partFiles
        merged.kindMetrics["slurm_job"] = .string(id)
        merged.kindMetrics["slurm_nodes"] = .string(last?.nodes ?? "")
        if interrupted {
            merged.status = .interrupted
            merged.statusReason = "job \(id) cancelled by Ctrl-C; the results cover the parts that finished"
        } else if !missing.isEmpty {
            merged.status = .failed
            merged.statusReason = "\(missing.count) of \(partCount) part(s) wrote no result: " + missing.map { $0.components(separatedBy: "\n").first ?? $0 }.joined(separator: ", ")
        }
        return try await context.clients.adopt(merged, handle: handle, request: request)
    }
}
