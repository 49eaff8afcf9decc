import BenchCore

/// Where placement users other than the server manager (monitors) find the session's SLURM
/// orchestrator and record what they run, so `--cleanup` after a SIGKILLed bench finds it too.
///
/// The server manager keeps the ledger (it writes the session's `state.json`).
public protocol PlacementLedger: Sendable {
    /// The SLURM orchestrator, where bench has one.
    var slurm: SlurmOrchestrator? { get }
    /// Records that the session submits SLURM jobs, before it does.
    func noteSlurmUse() async
    /// Records (or, with an empty list, forgets) local processes a handle runs.
    func recordAuxiliary(_ handle: Handle, _ processes: [LaunchedProcess]) async
}
