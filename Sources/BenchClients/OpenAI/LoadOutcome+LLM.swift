import BenchCore

extension LoadOutcome {
    /// The LLM metrics of an openai run under vLLM `bench serve`'s names, for the result's `kind_metrics`
    /// (empty for other kinds). Add them to what the run already reports:
    ///
    ///     kindMetrics.merge(outcome.llmKindMetrics) { $1 }
    ///
    /// `failed` counts every failed measured request (the snapshot's errors); the throughputs divide by the same
    /// measured duration the result's throughput uses (`RunCollector.measuredDuration` with `endedAt`).
    public var llmKindMetrics: [String: JSONValue] {
        guard let llm else { return [:] }
        return llm.kindMetrics(failed: snapshot.errorCount,
                               duration: RunCollector.measuredDuration(snapshot, runEnd: endedAt))
    }
}
