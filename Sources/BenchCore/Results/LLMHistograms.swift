/// The LLM histograms of a run (TTFT, TPOT, ITL, E2EL) as its result stores them, in `kind_metrics.histograms`.
///
/// They sit beside the LLM metrics they summarise, rather than in the result's `histograms`, because the client
/// kind writes its `kind_metrics` and nothing else; with them `RunResult.merge` rebuilds an `LLMSnapshot` per part
/// and recomputes exact LLM percentiles for a run several nodes shared. Results written before them lack the key.
public struct LLMHistograms: Sendable, Codable, Equatable {
    /// The key they sit under in a result's `kind_metrics`.
    public static let key = "histograms"

    public var ttft: SerializedHistogram
    public var tpot: SerializedHistogram
    public var itl: SerializedHistogram
    public var e2el: SerializedHistogram

    /// The histograms of `snapshot`, serialized.
    public init(_ snapshot: LLMSnapshot) {
        ttft = SerializedHistogram(snapshot.ttft)
        tpot = SerializedHistogram(snapshot.tpot)
        itl = SerializedHistogram(snapshot.itl)
        e2el = SerializedHistogram(snapshot.e2el)
    }
}
