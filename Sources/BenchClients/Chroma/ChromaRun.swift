import BenchCore
import Foundation
import NIOCore
import Synchronization

/// A chroma client run: its phases one after another, each driven by the load engine and measured on its own.
///
/// - **load**: the dataset's vectors in add batches over `load_concurrency` connections (closed loop, each batch
///   once), then the wait until the collection counts them all and answers a query.
/// - **query** (or **mixed**): top-k queries at the workload's concurrency or rate, with its warm-up, duration or
///   request count, each answer scored against the exact neighbours; in `mixed`, new vectors arrive meanwhile at
///   `insert_rate` (an open loop of add batches) and are deleted again afterwards.
///
/// The run's requests, latencies and time series are its last phase's (the queries, or the load when it is the
/// only phase); the other phases' figures, the dataset and recall go into `kind_metrics`.
public final class ChromaRun: LoadGenerator {
    public var kind: String { "chroma" }

    let prepared: Prepared
    /// A line about a phase that is not the run's main one (the load before queries, the wait for the index).
    private let note: @Sendable (String) -> Void

    private struct State {
        var stopped = false
        var engines: [LoadEngine] = []
    }

    private let state = Mutex(State())

    init(_ prepared: Prepared, note: @escaping @Sendable (String) -> Void) {
        self.prepared = prepared
        self.note = note
    }

    /// Prepares a run (see `prepare(params:plan:baseDirectory:note:)`) and returns a function that makes it once
    /// its handle is known (its notes carry the handle).
    public static func prepared(params: ChromaParams, plan: LoadPlan, baseDirectory: String,
                                note: @escaping @Sendable (String) -> Void) async throws -> @Sendable (@escaping @Sendable (String) -> Void) -> ChromaRun {
        let prepared = try await prepare(params: params, plan: plan, baseDirectory: baseDirectory, note: note)
        return { note in ChromaRun(prepared, note: note) }
    }

    /// Stops the phase that runs and every later one; `kind` fails what is in flight (a dead target).
    public func stop(failingInFlight kind: RequestErrorKind?) {
        let engines = state.withLock { state -> [LoadEngine] in
            state.stopped = true
            return state.engines
        }
        for engine in engines { engine.stop(failingInFlight: kind) }
    }

    private var isStopped: Bool { state.withLock { $0.stopped } }

    /// Starts `engine` unless the run was stopped; it is stopped with the run.
    private func launch(_ engine: LoadEngine,
                        progress: @escaping @Sendable (AggregateSnapshot, [SecondSlice], Double) -> Void) async throws -> LoadOutcome {
        let stopped = state.withLock { state -> Bool in
            state.engines.append(engine)
            return state.stopped
        }
        if stopped { engine.stop() }
        return try await engine.run(progress: progress)
    }

    public func run(progress: @escaping @Sendable (AggregateSnapshot, [SecondSlice], Double) -> Void) async throws -> LoadOutcome {
        let p = prepared
        let params = p.params
        var metrics = ChromaMetrics.dataset(p)
        let queryPhase = params.phases.contains(.query) || params.phases.contains(.mixed)

        if !p.reused {
            let outcome = try await load(progress: queryPhase ? nil : progress)
            metrics.merge(ChromaMetrics.load(outcome, prepared: p)) { $1 }
            let lost = outcome.snapshot.errorCount
            if !outcome.interrupted && lost == 0, let queryable = try await waitUntilQueryable(after: outcome) {
                metrics.merge(queryable) { $1 }
            }
            if outcome.interrupted || lost > 0 || !queryPhase || isStopped {
                // The load is the run's last phase: its batches are the run's requests.
                var main = outcome
                main.interrupted = outcome.interrupted || isStopped
                if lost > 0 {
                    main.statusNote = "the load lost \(lost) of \(batches) batches (see load_failed_batches)"
                        + (queryPhase ? "; the query phase did not run" : "")
                }
                main.kindMetrics = metrics
                return main
            }
        }

        var outcome: LoadOutcome
        if params.phases.contains(.mixed) {
            let (queries, inserts, deleted) = try await mixed(progress: progress)
            outcome = queries
            metrics.merge(ChromaMetrics.inserts(inserts, deleted: deleted, prepared: p)) { $1 }
        } else {
            outcome = try await launch(LoadEngine(plan: p.plan, protocol: .chroma(queryLoad())), progress: progress)
        }
        if let recall = outcome.recall {
            metrics.merge(recall.kindMetrics) { $1 }
        }
        outcome.kindMetrics = metrics
        return outcome
    }

    // MARK: Phases

    private var batches: Int { (prepared.dataset.base.count + prepared.params.batchSize - 1) / prepared.params.batchSize }

    /// The load phase. `progress`: the run's own (when it is the only phase); nil: notes instead.
    private func load(progress: (@Sendable (AggregateSnapshot, [SecondSlice], Double) -> Void)?) async throws -> LoadOutcome {
        let p = prepared
        let total = p.dataset.base.count
        let batches = self.batches
        let plan = LoadPlan(host: p.plan.host, port: p.plan.port, mode: .closed, concurrency: min(p.params.loadConcurrency, batches),
                            duration: nil, requests: batches, warmup: 0, seed: p.plan.seed, connectionCap: p.params.loadConcurrency,
                            requestTimeout: max(p.plan.requestTimeout, 120), eventLoops: 1)
        let rows = ChromaRows(source: .stored(p.dataset.base), first: 0, count: total, generateDocuments: p.params.documents,
                              datasetName: p.dataset.name)
        let config = ChromaAddCodec.Config(rows: rows, batchSize: p.params.batchSize, batches: batches, collection: p.collection.id,
                                           hostHeader: p.hostHeader, cursor: PromptCursor())
        let note = self.note
        let batchSize = p.params.batchSize
        return try await launch(LoadEngine(plan: plan, protocol: .chroma(ChromaPhaseLoad(codec: .add(config))))) { snapshot, slices, elapsed in
            if let progress {
                progress(snapshot, slices, elapsed)
                return
            }
            let vectors = min(total, snapshot.ok * batchSize)
            note(RunSummaryRenderer.phaseProgressLine("load", done: vectors, total: total, unit: "vectors", elapsed: elapsed,
                                                      errors: snapshot.errorCount))
        }
    }

    /// The query phase's requests; `fresh`: the rows a mixed phase inserts, so answers that find them are scored right.
    private func queryLoad(fresh: ChromaRows? = nil) -> ChromaPhaseLoad {
        let p = prepared
        var config = ChromaQueryCodec.Config(requests: p.queries, truth: p.truth?.neighbours ?? [], k: p.params.nResults,
                                             lookup: p.dataset.idLookup, cursor: PromptCursor())
        if let fresh, let truth = p.truth {
            config.fresh = ChromaFreshRows(rows: fresh, base: p.dataset.base, queries: p.dataset.queries, truth: truth,
                                           distance: p.params.distance)
        }
        return ChromaPhaseLoad(codec: .query(config))
    }

    /// Polls until the collection counts every vector and a query returns its k results; the seconds it took
    /// after the last batch was acknowledged, and from the load's start (nil when the run was stopped meanwhile).
    private func waitUntilQueryable(after outcome: LoadOutcome) async throws -> [String: JSONValue]? {
        let p = prepared
        let api = ChromaAPI(host: p.plan.host, port: p.plan.port)
        let started = ContinuousClock.now
        let probe = p.dataset.queryCount > 0 ? Array(p.dataset.queries[0..<p.dataset.dim]) : p.dataset.base.row(0)
        var lastCount = -1
        var announced = false
        while !isStopped {
            let count = try await api.count(p.collection.id)
            if count == p.dataset.base.count {
                let ids = try await api.query(p.collection.id, vector: probe, k: p.params.nResults)
                if ids.count == min(p.params.nResults, count) { break }
            } else if count != lastCount && started.duration(to: .now) > .seconds(1) && !announced {
                note("waiting for the collection to count all \(RunSummaryRenderer.count(p.dataset.base.count)) vectors (\(count) so far)")
                announced = true
            }
            lastCount = count
            guard started.duration(to: .now) < .seconds(600) else {
                throw BenchError("client run: collection '\(p.collection.name)' counts \(lastCount) of \(p.dataset.base.count) "
                    + "vectors ten minutes after the load")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        guard !isStopped else { return nil }
        let waited = started.duration(to: .now)
        let wait = Double(waited.components.seconds) + Double(waited.components.attoseconds) / 1e18
        return ["load_index_wait_s": .number((wait * 1000).rounded() / 1000),
                "load_queryable_s": .number(((outcome.measuredDuration + wait) * 1000).rounded() / 1000)]
    }

    /// Queries while an open loop of add batches inserts new rows at `insert_rate`; the inserted rows are deleted
    /// afterwards, so the collection again holds the dataset (and the next run can reuse it).
    private func mixed(progress: @escaping @Sendable (AggregateSnapshot, [SecondSlice], Double) -> Void) async throws
        -> (LoadOutcome, LoadOutcome, Int)
    {
        let p = prepared
        guard let reserve = p.dataset.reserve else { throw BenchError("client run: no rows to insert") }
        let batchSize = p.params.batchSize
        let available = reserve.count.map { ($0 + batchSize - 1) / batchSize }
        let cursor = PromptCursor()
        let insertPlan = LoadPlan(
            host: p.plan.host, port: p.plan.port, mode: .open, concurrency: 1, rate: p.params.insertRate / Double(batchSize),
            duration: 86_400 * 365, requests: available, warmup: p.plan.warmup, seed: p.plan.seed, connectionCap: 64,
            requestTimeout: max(p.plan.requestTimeout, 60), eventLoops: 1)
        let config = ChromaAddCodec.Config(rows: reserve, batchSize: batchSize, batches: available, collection: p.collection.id,
                                           hostHeader: p.hostHeader, cursor: cursor)
        let inserter = LoadEngine(plan: insertPlan, protocol: .chroma(ChromaPhaseLoad(codec: .add(config))))
        let queries = LoadEngine(plan: p.plan, protocol: .chroma(queryLoad(fresh: reserve)))
        async let inserted = launch(inserter) { _, _, _ in }
        let outcome: LoadOutcome
        do {
            outcome = try await launch(queries, progress: progress)
        } catch {
            inserter.stop()
            _ = try? await inserted
            throw error
        }
        inserter.stop()
        let inserts = try await inserted
        // Every batch taken was sent (or failed trying): delete all their ids; ids that never arrived are no matter.
        let sentRows = min(cursor.issued * batchSize, reserve.count ?? Int.max)
        let api = ChromaAPI(host: p.plan.host, port: p.plan.port)
        var deleted = 0
        for start in stride(from: 0, to: sentRows, by: 1000) {
            let ids = (start..<min(start + 1000, sentRows)).map { reserve.id(reserve.first + $0) }
            try await api.delete(p.collection.id, ids: ids)
            deleted += ids.count
        }
        return (outcome, inserts, deleted)
    }
}
