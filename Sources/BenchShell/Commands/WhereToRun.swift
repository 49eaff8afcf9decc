/// The value of an `--on WHERE` option: the placements a command can choose between.
enum WhereToRun: String, CaseIterable, Sendable {
    case local
    case slurm
}
