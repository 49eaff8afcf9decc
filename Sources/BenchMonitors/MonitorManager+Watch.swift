import BenchCore
import Foundation

/// Noticing monitors that die or stop answering, as servers' deaths are noticed: a process poll
/// every 250 ms, an answer probe every second, and a notice for the next prompt.
extension MonitorManager {
    /// Probes in a row a monitor must miss before it counts as not answering: one slow answer under
    /// load is not a hang.
    static let missedProbesForHang = 3

    /// Starts the two watch loops, once.
    func startWatching() {
        guard watchTask == nil else { return }
        watchTask = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(250))
                guard let self else { return }
                await self.checkForDeaths()
            }
        }
        // Apart from the process poll, so a probe that hangs for its whole timeout does not delay
        // noticing a death.
        probeTask = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(1))
                guard let self else { return }
                await self.checkAnswers()
            }
        }
    }

    /// Notices monitors whose processes ended on their own: state, outage, notice for the next prompt.
    public func checkForDeaths() async {
        for (handle, entry) in entries where entry.state.canQuery && !busy.contains(handle) {
            guard let ending = await entry.monitor.poll() else { continue }
            // A stop or restart that began meanwhile ends its processes on purpose.
            guard let now = entries[handle], now.startedAt == entry.startedAt, now.state.canQuery, !busy.contains(handle) else { continue }
            markDied(handle, ending)
            await register(handle, entry.monitor)
        }
    }

    /// Records that a part of a monitor ended on its own and queues the notice.
    func markDied(_ handle: Handle, _ ending: MonitorEnding) {
        guard var entry = entries[handle] else { return }
        entry.state = .died(ending)
        entry.outages.append(MonitorOutage(cause: ending.description, from: ending.at))
        entries[handle] = entry
        failedProbes[handle] = nil
        if ending.endsMonitor { session.handles.setLive(handle, false) }
        session.logEvent("monitor-ended", ["handle": handle.description, "part": ending.part, "how": ending.how])
        let logs = ending.part.hasSuffix("exporter") ? "monitor logs \(handle) --exporter" : "monitor logs \(handle)"
        session.notify("\(handle) \(ending); see '\(logs)' ('monitor restart \(handle)' starts it again\(ending.endsMonitor ? ", keeping its data" : ""))")
    }

    /// Asks each running monitor whether it answers; the third miss in a row makes it `not answering`
    /// since the first, and an answer after that makes it live again. Both are noticed.
    public func checkAnswers() async {
        for (handle, entry) in entries where !busy.contains(handle) {
            switch entry.state {
            case .live, .notAnswering: break
            default: continue
            }
            let asked = Date()
            let answered = await entry.monitor.answers()
            guard let now = entries[handle], now.startedAt == entry.startedAt, !busy.contains(handle) else { continue }
            if answered {
                failedProbes[handle] = nil
                guard case .notAnswering(let since) = now.state else { continue }
                entries[handle]?.state = .live
                let back = Date()
                if let open = now.outages.lastIndex(where: { $0.from == since && $0.until == nil }) {
                    entries[handle]?.outages[open].until = back
                }
                session.logEvent("monitor-answers", ["handle": handle.description])
                session.notify("\(handle) \(entry.monitor.name) answers again (it did not from \(ClockTime.string(since)) to \(ClockTime.string(back)))")
            } else {
                var missed = failedProbes[handle] ?? (count: 0, since: asked)
                missed.count += 1
                failedProbes[handle] = missed
                guard missed.count == Self.missedProbesForHang, now.state == .live else { continue }
                entries[handle]?.state = .notAnswering(since: missed.since)
                entries[handle]?.outages.append(MonitorOutage(cause: "\(entry.monitor.name) not answering since \(ClockTime.string(missed.since))",
                                                              from: missed.since))
                session.logEvent("monitor-not-answering", ["handle": handle.description])
                // The sampler runs inside bench and has no log of its own.
                let logs = entry.monitor is PrometheusMonitor ? "see 'monitor logs \(handle)'; " : ""
                session.notify("\(handle) \(entry.monitor.name) has not answered since \(ClockTime.string(missed.since)); "
                               + "\(logs)'monitor restart \(handle)' starts it again, keeping its data")
            }
        }
    }
}
