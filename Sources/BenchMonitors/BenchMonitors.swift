// BenchMonitors: what servers do while clients run.
//
// MonitorManager  monitors by handle (m1): deploy, attach servers (as AttachableServer values),
//                 the per-run section of results, exports
// Prometheus/     a real Prometheus (local or a SLURM job) and its HTTP API
// Sampler/        the built-in sampler where no Prometheus is installed, same export format
// Export/         CSV/JSON exports and run summaries
