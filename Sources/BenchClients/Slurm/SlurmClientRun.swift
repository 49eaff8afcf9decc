import BenchCore
import BenchPlacement
import Foundation

/// `client run … --on slurm`: the load generator runs as job steps on compute nodes, one bench agent
/// per task with its share of the load; the parts' results (with serialized histograms) are merged
/// exactly into one run, and kept beside it in `runs/rN.parts/`.
public struct SlurmClientRun: Sendable {
    /// Where progress goes: one live line at a terminal, a line per state change in batch.
    public struct Output: Sendable {
        public let isInteractive: Bool
        public let quiet: Bool
        public let info: @Sendable (String) -> Void
        public let progress: @Sendable (String?) -> Void

        public init(isInteractive: Bool, quiet: Bool, info: @escaping @Sendable (String) -> Void,
                    progress: @escaping @Sendable (String?) -> Void) {
            self.isInteractive = isInteractive
            self.quiet = quiet
            self.info = info
            self.progress = progress
        }
    }

    public let slurm: SlurmOrchestrator
    public let session: Session
    public let clients: ClientManager
    public let output: Output

    public init(slurm: SlurmOrchestrator, session: Session, clients: ClientManager, output: Output) {
        self.slurm = slurm
        self.session = session
        self.clients = clients
        self.output = output
    }

    /// The parts' shape, checked before anything is submitted: every part needs a connection and a request.
    public static func partCount(_ options: ClientRunOptions, plan: LoadPlan) throws -> (nodes: Int, perNode: Int) {
        guard !options.background else { throw BenchError.usage("client run --on slurm: --background is not supported; the job runs in the foreground") }
        let nodes = options.nodes ?? 1
        let perNode = options.tasksPerNode ?? 1
        let partCount = nodes * perNode
        guard plan.concurrency >= partCount else {
            throw BenchError.usage("client run --on slurm: --concurrency \(plan.concurrency) is less than the \(partCount) parts (--nodes × --tasks-per-node); each part needs a connection")
        }
        if let requests = plan.requests, requests < partCount {
            throw BenchError.usage("client run --on slurm: --requests \(requests) is less than the \(partCount) parts")
        }
        return (nodes, perNode)
    }

    /// The words of each part's `client run`: its share of connections, rate and requests, its own
    /// seed (so parts do not send the same keys/prompts), then the options all parts share.
    public static func partCommands(_ request: ClientRunRequest, options: ClientRunOptions, partCount: Int) -> [[String]] {
        let plan = request.plan
        func share(_ total: Int, _ index: Int) -> Int { total / partCount + (index < total % partCount ? 1 : 0) }
        let address = Endpoint.address(host: request.target.host, port: request.target.port)
        return (0..<partCount).map { index in
            var words = ["client", "run", request.recipe.name, "--target", address, "--quiet",
                         "--concurrency", String(share(plan.concurrency, index)), "--seed", String(request.seed &+ UInt64(index))]
            if plan.mode == .open, let rate = plan.rate { words += ["--rate", String(rate / Double(partCount))] }
            if let requests = plan.requests { words += ["--requests", String(share(requests, index))] }
            return words + options.sharedAgentWords
        }
    }

    /// Checks the cluster and the parts, takes a run handle and runs the job; a run that wrote no
    /// result gives its handle back, as a failed local run does.
    /// - Parameter noteUse: called before the first submit, so `--cleanup` after a SIGKILL asks the queue.
    public func run(_ request: ClientRunRequest, options: ClientRunOptions, noteUse: @Sendable () async -> Void) async throws -> RunResult {
        try slurm.control.checkAvailable()
        let (nodes, perNode) = try Self.partCount(options, plan: request.plan)
        // Each part is a bench of its own: an exec recipe's setup (pgbench -i) would run in every part at once.
        if case .exec(let params) = request.params, !params.setup.isEmpty, nodes * perNode > 1 {
            throw BenchError.usage("client run --on slurm: recipe '\(request.recipe.name)' has params.setup, which every one of the "
                + "\(nodes * perNode) parts would run at once against the same target; use one part (--nodes 1 --tasks-per-node 1), "
                + "or a recipe without setup after one run that has it")
        }
        try Self.checkChromaParts(request.params, parts: nodes * perNode)
        await noteUse()
        let handle = try session.handles.allocate(.run, label: request.recipe.name)
        do {
            return try await run(request, options: options, handle: handle, nodes: nodes, perNode: perNode)
        } catch {
            // A merged result that could not be written keeps its handle: it is in memory for `show`.
            if !(error is UnsavedRunResult),
               !FileManager.default.fileExists(atPath: session.directory.appendingPathComponent("runs/\(handle).json").path) {
                session.handles.discard([handle])
            }
            throw error
        }
    }

    /// Submits the job, follows it, and merges what its parts wrote into run `handle`.
    private func run(_ request: ClientRunRequest, options: ClientRunOptions, handle: Handle, nodes: Int, perNode: Int) async throws -> RunResult {
        let partCount = nodes * perNode
        let plan = request.plan
        let partsDirectory = try session.ensureDirectory().appendingPathComponent("runs/\(handle).parts").path
        try? FileManager.default.removeItem(atPath: partsDirectory)
        try FileWriting.createDirectory(atPath: partsDirectory)

        let benchPath = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let tasks: [[String]] = Self.partCommands(request, options: options, partCount: partCount).enumerated().map { index, words in
            [benchPath, "--recipes", session.directory.appendingPathComponent("recipes").path, "--sessions-dir", partsDirectory,
             "--session", "part-\(index)", "-c", ShellQuoting.join(words)]
        }
        // Time for the load itself, plus start-up and a margin; --time overrides.
        let loadSeconds = (plan.duration ?? 600) + plan.warmup
        let timeLimit = options.timeLimit ?? BenchDuration(seconds: (loadSeconds + 300).rounded(.up))
        let job = ClientJobRenderer.Job(
            name: SlurmOrchestrator.jobName(session: session.name, handle: handle), nodes: nodes, tasksPerNode: perNode,
            partition: options.partition, timeLimit: timeLimit, partsDirectory: partsDirectory,
            workingDirectory: FileManager.default.currentDirectoryPath, taskArgv: tasks)
        let renderer = ClientJobRenderer(settings: slurm.settings)
        try FileWriting.writeAtomically(Data(renderer.taskScript(job).utf8), to: URL(fileURLWithPath: job.taskScriptPath))
        try FileWriting.writeAtomically(Data(renderer.batchScript(job).utf8), to: URL(fileURLWithPath: job.scriptPath))

        let quiet = output.quiet
        let id = try await slurm.control.submit(scriptPath: job.scriptPath, extraArguments: slurm.submitArguments(redacted: false))
        if !quiet { output.info("\(handle) \(request.recipe.name): submitted job \(id) (\(job.name)): \(partCount) part(s) on \(nodes) node(s)") }

        let (last, interrupted) = try await follow(job: id, handle: handle, plan: plan)
        if output.isInteractive && !quiet { output.progress(nil) }
        return try await collect(job: id, last: last, interrupted: interrupted, handle: handle, request: request,
                                 partsDirectory: partsDirectory, partCount: partCount)
    }

    /// Follows the job until it ends; Ctrl-C cancels it (the parts that finished are kept).
    private func follow(job id: String, handle: Handle, plan: LoadPlan) async throws -> (last: SlurmJobInfo?, interrupted: Bool) {
        var last: SlurmJobInfo?
        var lastLine = ""
        while true {
            if Task.isCancelled {
                slurm.control.cancelNow([id])
                return (last, true)
            }
            guard let info = try await slurm.control.info(id) else { return (last, false) }
            let previous = last
            last = info
            if !info.isActive { return (last, false) }
            let total = plan.duration.map { " of \(BenchDuration(seconds: $0 + plan.warmup))" } ?? ""
            let line = "\(handle) job \(id) \(info.summary)" + (info.isRunning ? ", \(info.runTime ?? "-")\(total)" : "")
            if !output.quiet && line != lastLine {
                // At a terminal one live line; in batch a line per state change (pending reason included).
                if output.isInteractive {
                    output.progress(line)
                } else if info.summary != previous?.summary {
                    output.info("\(handle) job \(id) \(info.summary)")
                }
                lastLine = line
            }
            do {
                try await Task.sleep(for: .seconds(1))
            } catch {
                continue  // cancelled: the loop cancels the job
            }
        }
    }

    /// Reads each part's result and merges them into the run's own.
    private func collect(job id: String, last: SlurmJobInfo?, interrupted: Bool, handle: Handle, request: ClientRunRequest,
                         partsDirectory: String, partCount: Int) async throws -> RunResult {
        var parts: [RunResult] = []
        var partFiles: [String] = []
        var missing: [String] = []
        for index in 0..<partCount {
            let file = partsDirectory + "/part-\(index)/runs/r1.json"
            if let data = FileManager.default.contents(atPath: file), let part = try? RunResult.decode(from: data) {
                parts.append(part)
                partFiles.append(DisplayPath.of(URL(fileURLWithPath: file)))
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
        merged.target = request.resultTarget
        merged.workload.seed = request.seed
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
        return try await clients.adopt(merged, handle: handle, request: request)
    }
}
