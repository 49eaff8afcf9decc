// BenchPlacement: where things run, and nothing about what they are.
//
// Orchestrator   the seam: launch, poll, discover, stop, stop now (signal handlers), reattach and
//                clean up, with an InstanceRuntime that only its own orchestrator reads
// Local/         processes in their own groups, /proc, ports, log tails, command runner
// Slurm/         sbatch rendering (servers, Prometheus, client parts), squeue/scontrol/scancel,
//                discovery files, cluster settings
// PlacementLedger  what other users of a placement record for --cleanup (the server manager keeps it)
