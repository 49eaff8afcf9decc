import BenchCore
import Foundation

/// A chroma run's data, settled before anything is sent: the vectors to load, the query vectors, the rows the
/// mixed phase inserts, and what identifies them in the result (name, size, dimension, SHA-256).
struct ChromaDataset: Sendable {
    /// `clustered-100x0.5-seed1`, `uniform-seed1`, or the file's name.
    let name: String
    /// `synthetic` or the vectors file's path.
    let source: String
    let base: VectorSet
    /// `queryCount × dim` values.
    let queries: [Float]
    let queryCount: Int
    /// Where the queries came from: `synthetic`, the queries file, or `held out: the file's last N rows`.
    let querySource: String
    /// The mixed phase's new rows (after the base rows); nil when the dataset has none to give.
    let reserve: ChromaRows?
    /// SHA-256 of the vectors (a file's bytes; a synthetic set's float32 values, base then queries).
    let sha256: String

    var dim: Int { base.dim }

    /// Makes or reads the dataset `params` describe. Relative paths are taken from `baseDirectory`.
    static func prepare(_ params: ChromaParams, baseDirectory: String) throws -> ChromaDataset {
        switch params.dataset {
        case .uniform, .clustered:
            let dim = params.dim ?? ChromaParams.defaultSyntheticDim
            let count = params.vectors ?? ChromaParams.defaultSyntheticVectors
            let shape: SyntheticVectors.Shape = params.dataset == .uniform
                ? .uniform : .clustered(clusters: params.clusters, std: params.clusterStd)
            let generator = SyntheticVectors(shape: shape, dim: dim, seed: params.datasetSeed)
            let base = generator.rows(0..<count)
            let queries = generator.rows(0..<params.queries, of: .queries)
            var hasher = SHA256Hasher()
            base.values.withUnsafeBytes { hasher.update($0) }
            queries.values.withUnsafeBytes { hasher.update($0) }
            return ChromaDataset(
                name: generator.name, source: "synthetic", base: base, queries: queries.values, queryCount: params.queries,
                querySource: "synthetic", reserve: ChromaRows(source: .generated(generator), first: count, count: nil,
                                                            generateDocuments: params.documents, datasetName: generator.name),
                sha256: hasher.finalizeHex())
        case .file:
            return try file(params, baseDirectory: baseDirectory)
        }
    }

    private static func file(_ params: ChromaParams, baseDirectory: String) throws -> ChromaDataset {
        func resolve(_ path: String) -> String {
            path.hasPrefix("/") ? path : URL(fileURLWithPath: baseDirectory).appendingPathComponent(path).path
        }
        let path = resolve(params.datasetPath ?? "")
        let loaded = try wrap { () throws(VectorFileError) in try VectorFileReader.vectors(at: path) }
        var all = loaded.vectors
        if let dim = params.dim, dim != all.dim {
            throw BenchError("\(path): vectors of dimension \(all.dim), but params.dim is \(dim) (--set dim=auto takes the file's)")
        }
        var queries: [Float]
        var queryCount: Int
        var querySource: String
        if let queriesPath = params.queriesPath.map(resolve) {
            let loadedQueries = try wrap { () throws(VectorFileError) in try VectorFileReader.vectors(at: queriesPath) }.vectors
            guard loadedQueries.dim == all.dim else {
                throw BenchError("\(queriesPath): queries of dimension \(loadedQueries.dim), but the vectors (\(path)) have \(all.dim)")
            }
            queryCount = min(loadedQueries.count, params.queries)
            queries = Array(loadedQueries.values[0..<queryCount * all.dim])
            querySource = queriesPath
        } else {
            // No queries of its own: the file's last rows are held out (never loaded), so a query is not its own answer.
            guard all.count > params.queries else {
                throw BenchError("\(path): \(all.count) vectors; holding out queries=\(params.queries) of them as queries leaves none "
                    + "to load (give queries_path, or a smaller queries)")
            }
            queryCount = params.queries
            let heldOut = all.rows(all.count - queryCount..<all.count)
            queries = heldOut.values
            querySource = "held out: the file's last \(queryCount) rows"
            all = all.rows(0..<all.count - queryCount)
        }
        let count = min(params.vectors ?? all.count, all.count)
        let base = count == all.count ? all : all.rows(0..<count)
        let reserve = count < all.count
            ? ChromaRows(source: .stored(all.rows(count..<all.count)), first: count, count: all.count - count,
                         generateDocuments: params.documents, datasetName: URL(fileURLWithPath: path).lastPathComponent)
            : nil
        return ChromaDataset(name: URL(fileURLWithPath: path).lastPathComponent, source: path, base: base, queries: queries,
                             queryCount: queryCount, querySource: querySource, reserve: reserve, sha256: loaded.sha256)
    }

    /// A file error as bench's error (its text already names the file and the place).
    private static func wrap<T>(_ body: () throws(VectorFileError) -> T) throws -> T {
        do {
            return try body()
        } catch {
            throw BenchError(error.description)
        }
    }

    /// Ids to rows when the dataset's ids are not the row numbers (JSONL with ids), the mixed phase's rows included.
    var idLookup: [String: Int32]? {
        guard let ids = base.ids else { return nil }
        var lookup: [String: Int32] = [:]
        lookup.reserveCapacity(ids.count)
        for (row, id) in ids.enumerated() { lookup[id] = Int32(row) }
        if let reserve, let count = reserve.count {
            for row in reserve.first..<reserve.first + count { lookup[reserve.id(row)] = Int32(row) }
        }
        return lookup
    }
}
