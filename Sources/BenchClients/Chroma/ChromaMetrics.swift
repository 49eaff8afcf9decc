import BenchCore

/// A chroma run's figures for the result's `kind_metrics`, flat and named by what they describe (`dataset_…`,
/// `load_…`, `insert_…`, `recall_…`), times in ms and s as the names say. The load's batch-latency histogram goes
/// under `histograms` (serialized), as the LLM ones do.
enum ChromaMetrics {
    /// What was searched: the dataset, the collection and its index, the filter, the phases.
    static func dataset(_ p: ChromaRun.Prepared) -> [String: JSONValue] {
        let params = p.params
        var m: [String: JSONValue] = [
            "phases": .string(params.phases.map(\.rawValue).joined(separator: ",")),
            "dataset": .string(p.dataset.name),
            "dataset_source": .string(p.dataset.source),
            "dataset_vectors": .number(Double(p.dataset.base.count)),
            "dataset_dim": .number(Double(p.dataset.dim)),
            "dataset_queries": .number(Double(p.dataset.queryCount)),
            "dataset_query_source": .string(p.dataset.querySource),
            "dataset_sha256": .string(p.dataset.sha256),
            "distance": .string(params.distance.rawValue),
            "n_results": .number(Double(params.nResults)),
            "collection": .string(p.collection.name),
            "collection_reused": .bool(p.reused),
            "search_ef": .number(Double(params.searchEf)),
            "construction_ef": .number(Double(params.constructionEf)),
            "max_neighbors": .number(Double(params.maxNeighbors)),
        ]
        if let limit = params.bucketLimit {
            m["filter"] = .string("{\"bucket\":{\"$lt\":\(limit)}}")
            m["selectivity"] = .number(params.selectivity ?? 1)
        }
        if let truth = p.truth {
            m["ground_truth"] = .string(truth.source)
            m["recall_queries"] = .number(Double(truth.scored))
        }
        if let time = p.truthTime {
            m["ground_truth_s"] = .number(rounded(time.wall, 3))
            m["ground_truth_cpu_s"] = .number(rounded(time.cpu, 3))
        }
        return m
    }

    /// The load phase: vectors per second over its measured time, batch latencies, lost batches.
    static func load(_ outcome: LoadOutcome, prepared p: ChromaRun.Prepared) -> [String: JSONValue] {
        let s = outcome.snapshot
        let seconds = outcome.measuredDuration
        let vectors = min(p.dataset.base.count, s.ok * p.params.batchSize)
        var m: [String: JSONValue] = [
            "load_vectors": .number(Double(vectors)),
            "load_batches": .number(Double(s.completed + s.errorCount)),
            "load_failed_batches": .number(Double(s.errorCount)),
            "load_batch_size": .number(Double(p.params.batchSize)),
            "load_concurrency": .number(Double(min(p.params.loadConcurrency, (p.dataset.base.count + p.params.batchSize - 1) / p.params.batchSize))),
            "load_seconds": .number(rounded(seconds, 3)),
            "load_vectors_per_s": .number(seconds > 0 ? rounded(Double(vectors) / seconds, 1) : 0),
        ]
        let batch = LatencySummary(histogram: s.serviceTime)
        for (key, value) in [("mean", batch.mean), ("p50", batch.p50), ("p90", batch.p90), ("p99", batch.p99), ("max", batch.max)] {
            m["load_batch_\(key)_ms"] = .number(value)
        }
        m[LLMHistograms.key] = .object(["load_batch": (try? JSONValue(encoding: SerializedHistogram(s.serviceTime))) ?? .null])
        return m
    }

    /// The mixed phase's inserts: vectors per second while the queries ran, their batch latencies, what was deleted.
    static func inserts(_ outcome: LoadOutcome, deleted: Int, prepared p: ChromaRun.Prepared) -> [String: JSONValue] {
        let s = outcome.snapshot
        let seconds = outcome.measuredDuration
        let vectors = s.ok * p.params.batchSize
        let batch = LatencySummary(histogram: s.serviceTime)
        return [
            "insert_rate": .number(p.params.insertRate),
            "insert_vectors": .number(Double(vectors)),
            "insert_vectors_per_s": .number(seconds > 0 ? rounded(Double(vectors) / seconds, 1) : 0),
            "insert_failed_batches": .number(Double(s.errorCount)),
            "insert_batch_p50_ms": .number(batch.p50),
            "insert_batch_p99_ms": .number(batch.p99),
            "insert_rows_deleted_after": .number(Double(deleted)),
        ]
    }

    static func rounded(_ value: Double, _ digits: Int) -> Double {
        let scale = [1.0, 10, 100, 1000, 10_000][min(max(digits, 0), 4)]
        return (value * scale).rounded() / scale
    }
}
