/// What a chroma client measures, in order: loading the collection, then searching it.
public enum ChromaPhase: String, CaseIterable, Sendable {
    /// Insert the dataset's vectors in batches over `load_concurrency` connections.
    case load
    /// Top-k queries at the workload's concurrency or rate, scored for recall.
    case query
    /// The query phase while new vectors keep arriving at `insert_rate` (search under ingest).
    case mixed
}

/// Where a chroma client's vectors come from.
public enum ChromaDatasetKind: String, CaseIterable, Sendable {
    /// Seeded, uniform in [-1, 1) per coordinate: no structure, the hardest case for an index.
    case uniform
    /// Seeded Gaussian blobs around `clusters` centres: structure like real embeddings have.
    case clustered
    /// `dataset_path`: `.npy`, `.fvecs`, `.bvecs` or `.jsonl`.
    case file
}

/// Chroma's `hnsw:space`: how the collection (and bench's exact search) measures distance.
public enum ChromaDistance: String, CaseIterable, Sendable {
    /// Squared Euclidean distance.
    case l2
    /// 1 − cosine similarity.
    case cosine
    /// 1 − inner product.
    case ip
}

/// The parameters of a chroma client: the dataset, the collection and its index, and the phases.
///
/// Every field has a default; `client run --set KEY=VALUE` overrides any of them (`ChromaParams+Overrides`).
public struct ChromaParams: Sendable, Equatable {
    public var phases: [ChromaPhase] = [.load, .query]
    /// nil: a name derived from the dataset and the index settings, so that a matching collection is reused.
    public var collection: String?
    public var dataset: ChromaDatasetKind = .clustered
    /// The vectors file (`dataset: file`), relative to the current directory.
    public var datasetPath: String?
    /// Query vectors (`.npy`, `.fvecs`, `.bvecs`, `.jsonl`); without it a file dataset's last `queries` rows are held out.
    public var queriesPath: String?
    /// Exact neighbours of the queries (`.ivecs`, row i for query i); without it bench computes them.
    public var groundTruthPath: String?
    /// Vectors loaded (synthetic: generated; file: at most this many rows). nil: 10,000 synthetic, or the whole file.
    public var vectors: Int?
    /// Dimension (synthetic; a file's must match when given). nil: 384 synthetic, or the file's.
    public var dim: Int?
    /// Gaussian blobs of a clustered dataset.
    public var clusters = 100
    /// Standard deviation of each blob, per coordinate (centres are uniform in [-1, 1)).
    public var clusterStd = 0.5
    /// Distinct query vectors, cycled through by the query phase.
    public var queries = 1000
    public var distance: ChromaDistance = .l2
    /// k of top-k (`n_results`).
    public var nResults = 10
    /// Vectors per add request.
    public var batchSize = 100
    /// Connections of the load phase.
    public var loadConcurrency = 4
    /// Add a short text document to every vector.
    public var documents = false
    /// Queries carry `where bucket < selectivity × 100` (every vector has `bucket` = its row mod 100); nil: no filter.
    public var selectivity: Double?
    /// HNSW `ef_search` of the collection (Chroma applies the value given at creation).
    public var searchEf = 100
    /// HNSW `ef_construction`.
    public var constructionEf = 100
    /// HNSW `max_neighbors` (M).
    public var maxNeighbors = 16
    /// Queries whose exact neighbours are computed (a seeded sample); nil: all of them; 0: no recall.
    public var recallSample: Int?
    /// The mixed phase's inserts, vectors per second.
    public var insertRate = 1000.0
    /// Delete and recreate an existing collection instead of reusing it (or refusing one that does not match).
    public var recreate = false
    /// Seeds the synthetic vectors, the queries and the recall sample (not the workload's seed, so that parts
    /// of a SLURM run and every point of a sweep search the same data).
    public var datasetSeed: UInt64 = 1

    public init() {}

    /// The parameter names, as recipes and `--set` spell them.
    public static let fieldNames = [
        "phases", "collection", "dataset", "dataset_path", "queries_path", "ground_truth_path", "vectors", "dim",
        "clusters", "cluster_std", "queries", "distance", "n_results", "batch_size", "load_concurrency", "documents",
        "selectivity", "search_ef", "construction_ef", "max_neighbors", "recall_sample", "insert_rate", "recreate",
        "dataset_seed",
    ]

    /// The vectors a synthetic dataset has when `vectors` is not given.
    public static let defaultSyntheticVectors = 10_000
    /// The dimension of a synthetic dataset when `dim` is not given.
    public static let defaultSyntheticDim = 384

    /// What is wrong with a combination of values that are each valid, or nil.
    public var problem: String? {
        if phases.isEmpty { return "phases: give at least one of load, query, mixed" }
        if phases.contains(.query) && phases.contains(.mixed) {
            return "phases: 'query' and 'mixed' are both query phases; give one of them"
        }
        if dataset == .file && datasetPath == nil { return "dataset_path: required when dataset is 'file'" }
        if dataset != .file {
            if datasetPath != nil { return "dataset_path: only used when dataset is 'file'" }
            if queriesPath != nil { return "queries_path: only used when dataset is 'file'" }
            if groundTruthPath != nil { return "ground_truth_path: only used when dataset is 'file'" }
        }
        if let selectivity, groundTruthPath != nil, selectivity < 1 {
            // A file's neighbours are over the whole collection; a filtered query's are over the selected part.
            return "ground_truth_path: holds unfiltered neighbours; with selectivity below 1 bench computes them (drop one of the two)"
        }
        return nil
    }

    /// The `where` filter of every query, or nil.
    public var bucketLimit: Int? {
        guard let selectivity, selectivity < 1 else { return nil }
        return Int((selectivity * 100).rounded())
    }
}

extension ChromaParams {
    /// Every field with its value as `--set` would take it (`client info`).
    public var summaryRows: [(field: String, value: String)] {
        func number(_ v: Double) -> String { v == v.rounded() && abs(v) < 1e15 ? String(Int(v)) : String(v) }
        return [
            ("phases", phases.map(\.rawValue).joined(separator: ",")),
            ("collection", collection ?? "auto"),
            ("dataset", dataset.rawValue),
            ("dataset_path", datasetPath ?? "(none)"),
            ("queries_path", queriesPath ?? "(none)"),
            ("ground_truth_path", groundTruthPath ?? "(none)"),
            ("vectors", vectors.map(String.init) ?? "auto"),
            ("dim", dim.map(String.init) ?? "auto"),
            ("clusters", String(clusters)),
            ("cluster_std", number(clusterStd)),
            ("queries", String(queries)),
            ("distance", distance.rawValue),
            ("n_results", String(nResults)),
            ("batch_size", String(batchSize)),
            ("load_concurrency", String(loadConcurrency)),
            ("documents", String(documents)),
            ("selectivity", selectivity.map(number) ?? "none"),
            ("search_ef", String(searchEf)),
            ("construction_ef", String(constructionEf)),
            ("max_neighbors", String(maxNeighbors)),
            ("recall_sample", recallSample.map(String.init) ?? "all"),
            ("insert_rate", number(insertRate)),
            ("recreate", String(recreate)),
            ("dataset_seed", String(datasetSeed)),
        ]
    }
}
