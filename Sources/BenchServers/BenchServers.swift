// BenchServers: server instances from recipes, on any orchestrator.
//
// ServerPlanner     recipe + `server start` request -> InstancePlan (ports, placeholders); pure
// ServerManager     the lifecycle (start, readiness, stop, restart), its death watch and state.json
// Readiness/        http, tcp, log and command probes
// LeftoverCleaner   --cleanup of what a SIGKILLed bench left running
