// BenchClients: client runs, from the command line's options to a result file.
//
// Planning/  ClientRunOptions, ClientRunPlanner and ClientTargetResolver: recipe + options -> request; pure
// ClientManager  runs a request on this machine, writes runs/rN.json, keeps the session's runs
// Slurm/     SlurmClientRun: the same request as SLURM job steps, one bench agent per part, merged
// Engine/    the load engine (closed and open loop, coordinated-omission corrected), with the
//            protocol codecs in HTTP/, Redis/ and OpenAI/, and the pacers in Pacing/
