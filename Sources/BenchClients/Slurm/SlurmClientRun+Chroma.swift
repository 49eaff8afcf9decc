import BenchCore

extension SlurmClientRun {
    /// Refuses chroma phases that parts cannot share: every part would load the same collection (racing to create
    /// and fill it), or insert the same new rows in a mixed phase. Queries share a loaded collection well.
    public static func checkChromaParts(_ params: ClientParams, parts: Int) throws {
        guard parts > 1, case .chroma(let chroma) = params else { return }
        if chroma.phases.contains(.load) {
            throw BenchError.usage("client run --on slurm: with \(parts) parts each would load the collection; load it once first "
                + "(--set phases=load, without --on slurm), then query from every part with --set phases=query")
        }
        if chroma.phases.contains(.mixed) {
            throw BenchError.usage("client run --on slurm: in a mixed phase \(parts) parts would insert the same new vectors; "
                + "run it with one part (--nodes 1), or query with --set phases=query")
        }
    }
}
