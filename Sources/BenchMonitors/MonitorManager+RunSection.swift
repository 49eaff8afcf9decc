import BenchCore
import Foundation

/// The `monitor` section of a run's result: what each monitor attached to the run's server saw.
extension MonitorManager {
    /// For a run's result: each monitor attached to `server` (unless stopped on purpose before the
    /// run), with its recipe's queries summarised over the window and how much of the window it
    /// covered: `status` (`complete`, `partial`, `missing`), `covered_s`, and a `note` saying why
    /// when not complete. Nil when no monitor watches the server.
    public func runSection(server: Handle, window: TimeWindow) async -> [String: JSONValue]? {
        // A death in the last quarter second is part of the story.
        await checkForDeaths()
        var section: [String: JSONValue] = [:]
        for current in all {
            guard let target = current.attached[server] else { continue }
            if case .stopped(let at) = current.state, at <= window.start { continue }
            // A dead Prometheus cannot be asked; what it kept is read again after a restart.
            let summary = current.state.canQuery ? await current.monitor.summary(window: window) : nil
            var queries: [String: JSONValue] = [:]
            for (name, values) in summary?.values(for: target) ?? [:] {
                queries[name] = .object(values.mapValues { $0.isFinite ? .number($0) : .null })
            }
            let firstError = summary?.queries.sorted { $0.key < $1.key }.compactMap(\.value.error).first
            let coverage = MonitorCoverage(window: window, outages: current.outages, handle: current.handle.description,
                                           server: server.description, samplesFound: !queries.isEmpty, queryError: firstError)
            var fields: [String: JSONValue] = [
                "recipe": .string(current.recipe),
                "status": .string(coverage.status.rawValue),
                "covered_s": .number((coverage.coveredSeconds * 10).rounded() / 10),
                "queries": .object(queries),
            ]
            if let note = coverage.note { fields["note"] = .string(note) }
            section[current.handle.description] = .object(fields)
        }
        return section.isEmpty ? nil : section
    }
}
