import Foundation

/// How much of a run's window a monitor saw, and the line a result and `show` give for it.
///
/// Pure: the outages come from the monitor manager's watch, whether any query found the run's
/// server from the summary. A run whose window no outage touches is complete unless the monitor
/// had no samples of the server at all.
public struct MonitorCoverage: Sendable, Equatable {
    /// What the result's `monitor.mN.status` says.
    public enum Status: String, Sendable {
        case complete
        /// The monitor was down for part of the run.
        case partial
        /// It saw none of the run (down throughout, or no samples of the server).
        case missing
    }

    public let status: Status
    public let coveredSeconds: Double
    public let windowSeconds: Double
    /// Why it is partial or missing: `m1 prometheus killed(SIGKILL) at 12:03:04 (4.1 s of 10.0 s covered)`.
    public let note: String?

    /// - Parameters:
    ///   - handle: the monitor (`m1`), which begins the note.
    ///   - server: the run's target (`s1`), named when there are no samples of it.
    ///   - samplesFound: whether any of the monitor's queries returned a series of the server.
    ///   - queryError: the first error a query got, to say why there are no samples.
    public init(window: TimeWindow, outages: [MonitorOutage], handle: String, server: String, samplesFound: Bool,
                queryError: String? = nil) {
        let length = max(0, window.duration)
        let touching = outages.filter { outage in
            // A run too short to have a length still counts as missed when it fell in an outage.
            outage.overlap(with: window) != nil
                || (length == 0 && outage.from <= window.start && (outage.until ?? .distantFuture) > window.start)
        }
        let down = Self.union(touching.compactMap { $0.overlap(with: window) })
        windowSeconds = length
        coveredSeconds = max(0, length - down)
        if !touching.isEmpty {
            let missing = coveredSeconds < 0.001
            status = missing ? .missing : .partial
            var note = "\(handle) " + touching.map(\.description).joined(separator: "; ")
                + " (\(Self.seconds(coveredSeconds)) of \(Self.seconds(windowSeconds)) covered)"
            if !missing && !samplesFound {
                note += "; not summarised: the monitor was down when the run ended"
            }
            self.note = note
        } else if !samplesFound {
            status = .missing
            self.note = "\(handle) has no samples of \(server) over the run"
                + (queryError.map { ": \($0)" } ?? " (see 'monitor targets \(handle)')")
        } else {
            status = .complete
            note = nil
        }
    }

    /// Seconds covered by the union of intervals (outages may overlap: an exporter, then Prometheus).
    static func union(_ intervals: [(from: Date, to: Date)]) -> Double {
        var total = 0.0
        var current: (from: Date, to: Date)?
        for interval in intervals.sorted(by: { $0.from < $1.from }) {
            if let open = current, interval.from <= open.to {
                current = (open.from, max(open.to, interval.to))
            } else {
                if let open = current { total += open.to.timeIntervalSince(open.from) }
                current = interval
            }
        }
        if let open = current { total += open.to.timeIntervalSince(open.from) }
        return total
    }

    /// `12.0 s`.
    static func seconds(_ value: Double) -> String { String(format: "%.1f s", value) }
}
