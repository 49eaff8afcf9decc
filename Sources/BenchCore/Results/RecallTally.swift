/// One event loop's recall counts: the answers of measured (not warm-up), successful requests that were scored.
///
/// Confined to its event loop like `RunAggregator`; the engine merges the loops' snapshots at the end.
public final class RecallTally: @unchecked Sendable {
    // @unchecked Sendable: used only on the event loop that owns it; read after the loop has finished.
    private var recall: RecallSnapshot
    public let warmupEnd: UInt64

    public init(k: Int, warmupEnd: UInt64) {
        recall = RecallSnapshot(k: k)
        self.warmupEnd = warmupEnd
    }

    /// Counts the answer to `result` with `hits` true neighbours; ignores failures and the warm-up.
    @inline(__always)
    public func record(hits: Int, of result: RequestResult) {
        guard result.error == nil, result.scheduled >= warmupEnd else { return }
        recall.add(hits: hits)
    }

    public func snapshot() -> RecallSnapshot { recall }
}
