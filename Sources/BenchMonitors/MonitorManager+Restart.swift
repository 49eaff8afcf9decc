import BenchCore
import Foundation

/// `monitor restart`: the same monitor again, on the same targets, with the same handle and data.
extension MonitorManager {
    /// Stops what is left of a monitor (dead, hung, stopped or live) and starts it again: the same
    /// config and targets (Prometheus' target files stay in its folder, the sampler keeps its list),
    /// the same data (Prometheus reuses its TSDB, so samples from before are still queryable; the
    /// sampler keeps its store), and the same address where that is still free. Returns once the
    /// attached servers are scraped again. A failed start leaves the monitor dead, its folder kept.
    public func restart(_ handle: Handle) async throws {
        guard let current = entries[handle] else { throw BenchError("\(handle): no such monitor") }
        guard !busy.contains(handle) else { throw BenchError("\(handle) (\(current.recipe)) is being stopped or restarted already") }
        busy.insert(handle)
        defer { busy.remove(handle) }
        let began = Date()
        if current.state.canQuery {
            // A live monitor's restart is a gap in its samples too.
            entries[handle]?.outages.append(MonitorOutage(cause: "restarted at \(ClockTime.string(began))", from: began))
        }
        await current.monitor.stop()
        await unregister(handle)
        do {
            try await current.monitor.start()
        } catch {
            let ending = MonitorEnding(part: current.monitor.name, how: "failed to restart", at: Date(), endsMonitor: true)
            // The outage that began with its death, stop or this restart goes on.
            entries[handle]?.state = .died(ending)
            session.handles.setLive(handle, false)
            session.logEvent("monitor-restart-failed", ["handle": handle.description, "error": "\(error)"])
            throw BenchError("monitor restart \(handle): \(error)\n(its folder \(DisplayPath.of(URL(fileURLWithPath: current.directory))) is kept; "
                             + "'monitor restart \(handle)' tries again)")
        }
        await register(handle, current.monitor)
        // Runs started next should find their servers scraped again.
        await current.monitor.settle(Array(current.attached.values))
        let back = Date()
        guard var entry = entries[handle] else { return }
        for index in entry.outages.indices where entry.outages[index].until == nil { entry.outages[index].until = back }
        entry.state = .live
        entry.startedAt = back
        entries[handle] = entry
        failedProbes[handle] = nil
        session.handles.setLive(handle, true)
        session.logEvent("monitor-restarted", ["handle": handle.description])
        startWatching()
    }
}
