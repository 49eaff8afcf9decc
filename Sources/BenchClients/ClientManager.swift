import BenchCore
import Foundation
import Synchronization

/// Runs the session's client recipes through the load engine and keeps their results (`runs/rN.json`).
public actor ClientManager {
    /// A run of this session: running, or finished with its result.
    public struct RunRecord: Sendable {
        public let handle: Handle
        public let recipe: String
        public let target: String
        public var result: RunResult?
        /// Why `runs/rN.json` could not be written, for a run that finished without it.
        public var saveError: String?
    }

    public let session: Session
    // Internal rather than private: the exec path (ClientManager+Exec) keeps its runs here too.
    var records: [Handle: RunRecord] = [:]
    var tasks: [Handle: Task<RunResult, Error>] = [:]
    /// Load generators of running runs, reachable without the actor so Ctrl-C can stop one at once.
    private nonisolated let engines = Mutex<[Handle: any LoadGenerator]>([:])
    /// Exec runs (external tools) in progress, stopped like engines.
    nonisolated let execRuns = Mutex<[Handle: ExecToolRun]>([:])

    /// The server side of a run (the monitor section), asked for before the result is written.
    public typealias ServerSide = @Sendable (_ server: Handle, _ started: Date, _ ended: Date) async -> [String: JSONValue]?
    let serverSide: ServerSide?

    public init(session: Session, serverSide: ServerSide? = nil) {
        self.session = session
        self.serverSide = serverSide
    }

    public var runs: [RunRecord] {
        readEarlierRuns()
        return records.values.sorted { $0.handle < $1.handle }
    }

    /// Result files of runs an earlier bench made in this session, read when first listed.
    private var earlierRuns: [Handle: URL] = [:]

    /// Takes over the finished runs of a session another bench left (`--attach`), so `client status`
    /// lists them as the bench that ran them did. Only their names are read now: a result file holds
    /// serialized histograms, and decoding every one at each attach cost a scripted session (one
    /// `bench --attach … -c …` per run) megabytes and CPU time that it may never use.
    public func resume() {
        let directory = session.directory.appendingPathComponent("runs")
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { return }
        for name in names where name.hasSuffix(".json") {
            guard let handle = Handle(parsing: String(name.dropLast(5))), handle.kind == .run, records[handle] == nil else { continue }
            earlierRuns[handle] = directory.appendingPathComponent(name)
        }
    }

    private func readEarlierRuns() {
        guard !earlierRuns.isEmpty else { return }
        for (handle, url) in earlierRuns where records[handle] == nil {
            guard let data = FileManager.default.contents(atPath: url.path), let result = try? RunResult.decode(from: data) else { continue }
            records[handle] = RunRecord(handle: handle, recipe: result.recipe.name, target: result.target.given, result: result)
        }
        earlierRuns = [:]
    }

    /// Runs a client to its end (or Ctrl-C, or the target's death) and writes its result file.
    ///
    /// - Parameters:
    ///   - progress: a one-line summary about once a second.
    ///   - targetAlive: nil while the target runs; otherwise why it is gone (the run then ends as `target-failed`).
    public func run(_ request: ClientRunRequest, progress: @escaping @Sendable (String) -> Void,
                    targetAlive: @escaping @Sendable () async -> String?) async throws -> RunResult {
        let handle = try await start(request, progress: progress, targetAlive: targetAlive)
        return try await withTaskCancellationHandler {
            try await wait(handle)
        } onCancel: {
            stopNow(handle)
        }
    }

    /// Starts a run in the background and returns its handle.
    public func start(_ request: ClientRunRequest, progress: @escaping @Sendable (String) -> Void,
                      targetAlive: @escaping @Sendable () async -> String?) async throws -> Handle {
        let loadProtocol: LoadProtocol?
        // A chroma run is phases of several engines (`ChromaRun`), prepared before its handle is taken.
        var chroma: (@Sendable (@escaping @Sendable (String) -> Void) -> ChromaRun)?
        switch request.params {
        case .openai(let params):
            // Model discovery, the dataset and exact prompt lengths (/tokenize) are settled before the clock starts.
            do {
                let config = try await OpenAIRunConfig.prepare(
                    params: params, slo: request.slo, host: request.target.host, port: request.target.port, seed: request.plan.seed,
                    requests: request.plan.requests ?? 1000, environment: session.environment.merging(session.secrets.values) { a, _ in a },
                    baseDirectory: FileManager.default.currentDirectoryPath)
                loadProtocol = .openai(config)
            } catch let error as BenchError {
                throw error
            } catch {
                throw BenchError("client run: preparing the OpenAI requests: \(error)")
            }
        case .http(let params):
            let hostHeader = request.target.port == 80 ? request.target.host : "\(request.target.host):\(request.target.port)"
            loadProtocol = .http(params, hostHeader: hostHeader)
        case .redis(let params):
            loadProtocol = .redis(params)
        case .memcached(let params):
            loadProtocol = .memcached(params)
        case .chroma(let params):
            chroma = try await ChromaRun.prepared(params: params, plan: request.plan,
                                                  baseDirectory: FileManager.default.currentDirectoryPath) { progress("chroma: " + $0) }
            loadProtocol = nil  // the run drives its own engines, phase by phase
        case .exec(let params):
            return try startExec(request, params: params, progress: progress, targetAlive: targetAlive)
        }
        let plan = request.plan

        let handle = try session.handles.allocate(.run, label: request.recipe.name)
        let engine: any LoadGenerator = if let loadProtocol {
            LoadEngine(plan: plan, protocol: loadProtocol)
        } else {
            chroma! { progress("\(handle) " + $0) }
        }
        engines.withLock { $0[handle] = engine }
        records[handle] = RunRecord(handle: handle, recipe: request.recipe.name, target: request.target.given, result: nil)
        session.logEvent("run-started", ["handle": handle.description, "recipe": request.recipe.name, "target": request.target.given])
        tasks[handle] = Task {
            try await self.execute(handle: handle, engine: engine, request: request, progress: progress, targetAlive: targetAlive)
        }
        return handle
    }

    private func execute(handle: Handle, engine: any LoadGenerator, request: ClientRunRequest, progress: @escaping @Sendable (String) -> Void,
                         targetAlive: @escaping @Sendable () async -> String?) async throws -> RunResult {
        let collector = LockedCollector()
        let targetFailure = Mutex<String?>(nil)
        let plan = request.plan
        let total = plan.duration.map { $0 + plan.warmup }
        let startedAt = Date()
        // The target's health is checked beside the run: a dead server ends it as target-failed.
        let watcher = Self.watchTarget(targetAlive) { reason in
            targetFailure.withLock { $0 = reason }
            // What was in flight to a dead target failed: counted as closed, not dropped as for Ctrl-C.
            engine.stop(failingInFlight: .closed)
        }
        defer { watcher.cancel() }
        let outcome: LoadOutcome
        do {
            outcome = try await engine.run { snapshot, slices, elapsed in
                collector.add(slices)
                progress("\(handle) " + RunSummaryRenderer.progressLine(snapshot: snapshot, elapsed: elapsed, total: total))
            }
        } catch {
            engines.withLock { $0[handle] = nil }
            records[handle] = nil
            tasks[handle] = nil
            session.handles.discard([handle])
            throw BenchError("client run: \(error)")
        }
        engines.withLock { $0[handle] = nil }

        let failure = targetFailure.withLock { $0 }
        let status: RunStatus = failure != nil ? .targetFailed : (outcome.interrupted ? .interrupted : .completed)
        let reason = failure.map { "target \(request.target.given) failed during the run: \($0)" }
            ?? (outcome.interrupted ? "stopped early (Ctrl-C or 'client stop'); the results cover what was measured" : nil)
            ?? outcome.statusNote
        var result = collector.finish(
            outcome: outcome, run: handle.description, session: session.name, recipe: request.resultRecipe, target: request.resultTarget,
            workload: request.resultWorkload(), startedAt: startedAt, status: status, reason: reason)
        result.failIfNothingSucceeded()
        // Every run against a monitored server carries the monitors' view of it over the run's window.
        if let server = request.target.server, let serverSide {
            result.monitor = await serverSide(server, result.startedAt, result.endedAt)
        }
        return try keep(result, handle: handle, request: request)
    }

    /// Checks the target four times a second while a run goes; `died` is called once, with why it is gone.
    static func watchTarget(_ targetAlive: @escaping @Sendable () async -> String?,
                            died: @escaping @Sendable (String) -> Void) -> Task<Void, Never> {
        Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(250))
                if let reason = await targetAlive() {
                    died(reason)
                    return
                }
            }
        }
    }

    /// Takes in a run that ran elsewhere (job steps on a cluster, merged): adds the monitors' view of
    /// it, writes `runs/rN.json` and keeps it for `show` and `client status`.
    public func adopt(_ merged: RunResult, handle: Handle, request: ClientRunRequest) async throws -> RunResult {
        var result = merged
        result.failIfNothingSucceeded()
        if let server = request.target.server, let serverSide {
            result.monitor = await serverSide(server, result.startedAt, result.endedAt)
        }
        return try keep(result, handle: handle, request: request)
    }

    /// Keeps a finished run: in memory for `show` and `client status`, and in `runs/rN.json`. When
    /// the file cannot be written (a full disk) what was measured stays in memory, and the command
    /// gets an UnsavedRunResult that says where it could not go.
    func keep(_ result: RunResult, handle: Handle, request: ClientRunRequest) throws -> RunResult {
        if records[handle] == nil {
            records[handle] = RunRecord(handle: handle, recipe: request.recipe.name, target: request.target.given, result: nil)
        }
        records[handle]?.result = result
        session.handles.setLive(handle, false)
        do {
            try writeResult(result, handle: handle)
        } catch {
            records[handle]?.saveError = "\(error)"
            session.logEvent("run-finished", ["handle": handle.description, "status": result.status.rawValue, "unsaved": "\(error)"])
            throw UnsavedRunResult(result: result, reason: "\(error)")
        }
        session.logEvent("run-finished", ["handle": handle.description, "status": result.status.rawValue])
        return result
    }

    /// Stops a run's engine right away (Ctrl-C); the run still writes what it measured.
    public nonisolated func stopNow(_ handle: Handle) {
        engines.withLock { $0[handle] }?.stop()
        execRuns.withLock { $0[handle] }?.stop()
    }

    /// Stops every running run (bench is leaving).
    public nonisolated func stopAllNow() {
        for engine in engines.withLock({ Array($0.values) }) { engine.stop() }
        for run in execRuns.withLock({ Array($0.values) }) { run.stop() }
    }

    /// `runs/rN.json`, written atomically.
    func writeResult(_ result: RunResult, handle: Handle) throws {
        let url = try session.ensureDirectory().appendingPathComponent("runs/\(handle).json")
        let text = session.secrets.redact(String(decoding: try result.jsonData(), as: UTF8.self))
        try FileWriting.writeAtomically(Data(text.utf8), to: url)
    }

    /// Ends a running run early; it keeps what it measured.
    public func stop(_ handle: Handle) throws {
        guard let record = records[handle] else { throw BenchError("\(handle): no such run in this session") }
        guard record.result == nil else { throw BenchError("\(handle) (\(record.recipe)) has already finished") }
        stopNow(handle)
    }

    /// The result of a run, waiting while it runs.
    public func wait(_ handle: Handle) async throws -> RunResult {
        if let record = records[handle], let result = record.result {
            if let saveError = record.saveError { throw UnsavedRunResult(result: result, reason: saveError) }
            return result
        }
        guard let task = tasks[handle] else { throw BenchError("\(handle): no such run in this session") }
        return try await task.value
    }
}

/// The run's collector, fed from the engine's progress callback (another thread) and read at the end.
private final class LockedCollector: @unchecked Sendable {
    // @unchecked: every use of `collector` holds `lock`.
    private let lock = NSLock()
    private let collector = RunCollector()

    func add(_ slices: [SecondSlice]) {
        lock.lock()
        defer { lock.unlock() }
        collector.add(slices)
    }

    func finish(outcome: LoadOutcome, run: String, session: String, recipe: RunResult.Recipe, target: RunResult.Target,
                workload: RunResult.Workload, startedAt: Date, status: RunStatus, reason: String?) -> RunResult {
        lock.lock()
        defer { lock.unlock() }
        collector.add(outcome.remainingSeconds)
        collector.add(outcome.snapshot)
        var kindMetrics: [String: JSONValue] = ["connections_opened": .number(Double(outcome.connectionsOpened))]
        if outcome.connectionsPeak > 0 { kindMetrics["connections_peak"] = .number(Double(outcome.connectionsPeak)) }
        if outcome.lateSends > 0 { kindMetrics["late_sends"] = .number(Double(outcome.lateSends)) }
        var result = collector.finish(run: run, session: session, recipe: recipe, target: target, workload: workload,
                                      startedAt: startedAt, endedAt: Date(), runEnd: outcome.endedAt, status: status,
                                      statusReason: reason, reconnects: outcome.reconnects, kindMetrics: kindMetrics)
        if let note = outcome.senderLagNote, result.clientBottleneck.exceeded { result.clientBottleneck.note = note }
        result.kindMetrics.merge(outcome.llmKindMetrics) { $1 }
        if let replies = outcome.cacheReplies { result.kindMetrics.merge(replies.kindMetrics) { $1 } }
        result.kindMetrics.merge(outcome.kindMetrics) { $1 }
        return result
    }
}
