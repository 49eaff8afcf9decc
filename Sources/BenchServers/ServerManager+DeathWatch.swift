import BenchCore
import BenchPlacement
import Foundation

/// Noticing instances that end on their own, every 250 ms while any is live.
extension ServerManager {
    /// Polls live instances for deaths every 250 ms while any is live.
    func startMonitoring() {
        guard monitorTask == nil else { return }
        monitorTask = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(250))
                guard let self else { return }
                await self.checkForDeaths()
            }
        }
    }

    /// Notices instances that ended on their own: state, notice for the next prompt, exporter stopped.
    public func checkForDeaths() async {
        for (handle, instance) in instances where instance.state.isLive && !stopping.contains(handle) {
            guard let orchestrator = orchestrators[instance.orchestrator], let ended = orchestrator.poll(instance.runtime) else { continue }
            markEnded(handle, ended)
            let time = ClockTime.string(Date())
            session.notify("\(handle) (\(instance.recipeName)) \(ended) at \(time); see 'server logs \(handle) --stderr'")
            await orchestrator.stopLeftovers(instance.runtime)
        }
    }

    /// Records that an instance ended on its own.
    func markEnded(_ handle: Handle, _ state: ServerState) {
        instances[handle]?.state = state
        setLiveRuntime(handle, nil)
        session.handles.setLive(handle, false)
        session.logEvent("server-ended", ["handle": handle.description, "state": state.description])
        persist()
    }
}
