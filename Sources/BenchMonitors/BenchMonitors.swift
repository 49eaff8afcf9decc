// BenchMonitors: what servers do while clients run.
//
// MonitorManager  monitors by handle (m1): deploy, attach servers (as AttachableServer values),
//                 the per-run section of results, exports; +Watch notices deaths and hangs,
//                 +Restart starts one again with its data
// Health/         a monitor's state, its outages, and how much of a run it covered (pure)
// Prometheus/     a real Prometheus (local or a SLURM job) and its HTTP API
// Sampler/        the built-in sampler where no Prometheus is installed, same export format
// Export/         CSV/JSON exports and run summaries
