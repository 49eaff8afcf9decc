import BenchCore
import Foundation
import NIOCore
#if canImport(Glibc)
import Glibc
#endif

extension ChromaRun {
    /// Everything a chroma run settles before its clock starts: the dataset, the ground truth, the collection
    /// (created, recreated or reused), the encoded queries.
    struct Prepared: Sendable {
        let params: ChromaParams
        let plan: LoadPlan
        let hostHeader: String
        let dataset: ChromaDataset
        let truth: GroundTruth?
        /// Seconds the ground truth took, wall clock and CPU of the thread that computed (or read) it.
        let truthTime: (wall: Double, cpu: Double)?
        let collection: ChromaCollectionInfo
        /// The collection already held the dataset (matching settings): no load phase.
        let reused: Bool
        /// Encoded top-k queries, one per query vector (empty without a query phase).
        let queries: [ByteBuffer]
    }

    /// Checks and prepares a run: reads or makes the dataset, computes (or reads and checks) the exact neighbours,
    /// and finds, creates or recreates the collection. Every problem found here is an error before any load is
    /// sent: a file's place, a dimension or index settings that do not match an existing collection, a collection
    /// that holds part of the data.
    ///
    /// - Parameters:
    ///   - note: a line about a slow step (computing exact neighbours of a large dataset).
    static func prepare(params: ChromaParams, plan: LoadPlan, baseDirectory: String,
                        note: @escaping @Sendable (String) -> Void) async throws -> Prepared {
        if let problem = params.problem { throw BenchError.usage("client run: params.\(problem)") }
        let dataset = try ChromaDataset.prepare(params, baseDirectory: baseDirectory)
        let k = params.nResults
        let selected = params.bucketLimit.map { limit in (0..<dataset.base.count).reduce(0) { $0 + ($1 % 100 < limit ? 1 : 0) } }
            ?? dataset.base.count
        guard selected >= k else {
            let filter = params.bucketLimit.map { " with selectivity \(RecipeNumber.text(params.selectivity ?? 1)) (bucket < \($0))" } ?? ""
            throw BenchError.usage("client run: \(dataset.base.count) vectors\(filter) leave \(selected) to search, fewer than n_results \(k)")
        }
        let queryPhase = params.phases.contains(.query) || params.phases.contains(.mixed)
        if params.phases.contains(.mixed) && dataset.reserve == nil {
            throw BenchError.usage("client run: the mixed phase inserts new vectors, but \(dataset.source)'s rows are all loaded; "
                + "give vectors= below its \(dataset.base.count) rows so the rest can be inserted")
        }

        // Ground truth before the collection: a file for another dataset fails before anything is created.
        var truth: GroundTruth?
        var truthTime: (wall: Double, cpu: Double)?
        if queryPhase && params.recallSample != 0 {
            let started = (wall: ContinuousClock.now, cpu: threadCPUSeconds())
            defer {
                let wall = started.wall.duration(to: .now)
                truthTime = (Double(wall.components.seconds) + Double(wall.components.attoseconds) / 1e18, threadCPUSeconds() - started.cpu)
            }
            if let path = params.groundTruthPath {
                let resolved = path.hasPrefix("/") ? path : URL(fileURLWithPath: baseDirectory).appendingPathComponent(path).path
                do {
                    truth = try GroundTruth.file(resolved, base: dataset.base, queries: dataset.queries, k: k, distance: params.distance,
                                                 sample: params.recallSample, seed: params.datasetSeed)
                } catch {
                    throw BenchError(error.description)
                }
            } else {
                let scored = min(params.recallSample ?? dataset.queryCount, dataset.queryCount)
                if scored * dataset.base.count * dataset.dim > 2_000_000_000 {
                    note("computing the exact \(k) nearest neighbours of \(scored) queries over \(dataset.base.count) vectors…")
                }
                truth = GroundTruth.computed(base: dataset.base, queries: dataset.queries, k: k, distance: params.distance,
                                             bucketLimit: params.bucketLimit, sample: params.recallSample, seed: params.datasetSeed)
            }
        }

        let api = ChromaAPI(host: plan.host, port: plan.port)
        if let limit = try await api.maxBatchSize(), limit > 0, params.batchSize > limit {
            throw BenchError.usage("client run: params.batch_size \(params.batchSize) is above the server's max_batch_size (\(limit))")
        }
        let index = ChromaIndexSettings(params)
        let name = params.collection ?? autoName(params, dataset: dataset)
        let (collection, reused) = try await settleCollection(name, api: api, params: params, index: index, dataset: dataset)

        var queries: [ByteBuffer] = []
        if queryPhase {
            let allocator = ByteBufferAllocator()
            dataset.queries.withUnsafeBufferPointer { values in
                for q in 0..<dataset.queryCount {
                    queries.append(ChromaRequestEncoder.query(
                        UnsafeBufferPointer(rebasing: values[q * dataset.dim..<(q + 1) * dataset.dim]), collection: collection.id, k: k,
                        bucketLimit: params.bucketLimit, hostHeader: api.hostHeader, allocator: allocator))
                }
            }
        }
        return Prepared(params: params, plan: plan, hostHeader: api.hostHeader, dataset: dataset, truth: truth, truthTime: truthTime,
                        collection: collection, reused: reused, queries: queries)
    }

    /// Finds the collection and decides: reuse it (same dimension and index, all the vectors in), fill it (empty),
    /// replace it (`recreate`), or refuse (anything else, saying how to go on). Creates it when there is none.
    static func settleCollection(_ name: String, api: ChromaAPI, params: ChromaParams, index: ChromaIndexSettings,
                                 dataset: ChromaDataset) async throws -> (ChromaCollectionInfo, reused: Bool) {
        let loads = params.phases.contains(.load)
        let ways = "--set recreate=true replaces it, --set collection=NAME uses another"
        if let existing = try await api.collection(named: name) {
            if params.recreate {
                guard loads else {
                    throw BenchError.usage("client run: recreate=true empties collection '\(name)', but phases \(phaseList(params)) do not load it; add load")
                }
                try await api.deleteCollection(name)
                return (try await api.createCollection(name, index: index), false)
            }
            if let dimension = existing.dimension, dimension != dataset.dim {
                throw BenchError.usage("client run: collection '\(name)' holds vectors of dimension \(dimension), the dataset's have "
                    + "\(dataset.dim): \(ways)")
            }
            if let settings = existing.index, settings != index {
                throw BenchError.usage("client run: collection '\(name)' has \(settings.text); this run asks for \(index.text) "
                    + "(Chroma fixes them when the collection is created): \(ways)")
            }
            let count = try await api.count(existing.id)
            if count == dataset.base.count {
                guard params.phases != [.load] else {
                    throw BenchError.usage("client run: collection '\(name)' already holds the \(count) vectors, so there is nothing to "
                        + "load; --set recreate=true measures the load again")
                }
                return (existing, true)
            }
            if count == 0 && loads { return (existing, false) }
            throw BenchError.usage("client run: collection '\(name)' holds \(count) vectors, the dataset has \(dataset.base.count)"
                + (count == 0 ? " and phases \(phaseList(params)) do not load it; add load" : " (an interrupted load, or another dataset)")
                + ": \(ways)")
        }
        guard loads else {
            throw BenchError.usage("client run: collection '\(name)' does not exist, and phases \(phaseList(params)) do not load it; "
                + "run with --set phases=load,\(params.phases.map(\.rawValue).joined(separator: ",")) first")
        }
        return (try await api.createCollection(name, index: index), false)
    }

    /// `bench-clustered-100x0.5-seed1-10000x384-1a2b3c4d-l2-ef100-efc100-m16`: the dataset and the index settings,
    /// so a run of the same settings reuses what an earlier one loaded, and another `search_ef` gets its own.
    static func autoName(_ params: ChromaParams, dataset: ChromaDataset) -> String {
        let safe = String(dataset.name.map { $0.isLetter || $0.isNumber || $0 == "." || $0 == "_" || $0 == "-" ? $0 : "_" })
        let name = "bench-\(safe)-\(dataset.base.count)x\(dataset.dim)-\(dataset.sha256.prefix(8))-\(params.distance.rawValue)"
            + "-ef\(params.searchEf)-efc\(params.constructionEf)-m\(params.maxNeighbors)"
        return String(name.prefix(512))
    }

    /// CPU seconds of the calling thread (the exact search runs on one).
    static func threadCPUSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }

    private static func phaseList(_ params: ChromaParams) -> String {
        params.phases.map(\.rawValue).joined(separator: ",")
    }
}
