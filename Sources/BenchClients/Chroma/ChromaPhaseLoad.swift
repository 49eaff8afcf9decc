/// What the load engine sends in one phase of a chroma run, prepared by `ChromaRun`: add batches or queries.
///
/// Public only as an opaque value of `LoadProtocol.chroma`; its codecs' configurations stay internal.
public struct ChromaPhaseLoad: Sendable {
    enum Codec: Sendable {
        case query(ChromaQueryCodec.Config)
        case add(ChromaAddCodec.Config)
    }

    let codec: Codec
}
