import BenchCore

/// The seam between "run this service" and where it runs: local processes or SLURM jobs.
///
/// Both report the same `Endpoint` once the recipe's readiness probe passes.
public protocol Orchestrator: Sendable {
    /// A short name shown in scripts and status (`local`, `slurm`).
    var name: String { get }
}
