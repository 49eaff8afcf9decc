import BenchCore

/// The `Monitor` backed by a `PrometheusDeployment`: attach writes target files, queries go to
/// Prometheus' range API at the scrape interval.
public final class PrometheusMonitor: Monitor {
    public let name = "prometheus"
    public let queries: [NamedQuery]
    public let interval: BenchDuration
    public let deployment: PrometheusDeployment

    public init(deployment: PrometheusDeployment, queries: [NamedQuery]) {
        self.deployment = deployment
        self.queries = queries
        self.interval = deployment.configuration.scrapeInterval
    }

    /// From a `type: prometheus` recipe, deployed into `directory`.
    public convenience init(recipe: MonitorRecipe, directory: String) {
        self.init(deployment: PrometheusDeployment(.init(recipe: recipe, directory: directory)), queries: recipe.queries)
    }

    public func start() async throws { try await deployment.start() }

    public func attach(_ target: MonitorTarget) async throws {
        guard let address = target.address else {
            throw BenchError("\(target.name) has no metrics endpoint for prometheus to scrape")
        }
        try deployment.writeTarget(name: target.name, address: address, labels: target.labels,
                                   metricsPath: target.metricsPath)
    }

    /// Waits until Prometheus has scraped each target once: file discovery hands changes to the
    /// scrape manager at most every 5 s, and the first scrape comes up to an interval later, so a run
    /// started right after `monitor attach` would otherwise begin before any sample. Bounded: a
    /// target still unscraped after that is left for `monitor targets` to show.
    public func settle(_ targets: [MonitorTarget]) async {
        let addresses = Set(targets.compactMap(\.address))
        guard !addresses.isEmpty, let client = await deployment.client else { return }
        let deadline = ContinuousClock.now + .seconds(8 + 3 * interval.seconds)
        while ContinuousClock.now < deadline && !Task.isCancelled {
            if let active = try? await client.targets() {
                // "unknown" until the first scrape (Prometheus then reports year 1 as the last scrape).
                let scraped = Set(active.filter { $0.health != .unknown }.compactMap { $0.labels["instance"] })
                if addresses.isSubset(of: scraped) { return }
            }
            try? await Task.sleep(for: .milliseconds(200))
        }
    }

    public func detach(name: String) async throws { try deployment.removeTarget(name: name) }

    public func rangeQueries(_ queries: [NamedQuery], window: TimeWindow) async -> [NamedQueryResult] {
        guard let client = await deployment.client else {
            return queries.map { NamedQueryResult(name: $0.name, promql: $0.promql, series: [], error: "prometheus is not running") }
        }
        let step = MonitorExport.step(window: window, interval: interval)
        var results: [NamedQueryResult] = []
        for query in queries {
            do {
                let series = try await client.queryRange(query.promql, start: window.start, end: window.end, step: step)
                results.append(NamedQueryResult(name: query.name, promql: query.promql, series: series))
            } catch {
                results.append(NamedQueryResult(name: query.name, promql: query.promql, series: [], error: "\(error)"))
            }
        }
        return results
    }

    public func stop() async { await deployment.stop() }

    public func poll() async -> MonitorEnding? { await deployment.poll() }

    public func answers() async -> Bool { await deployment.answers() }

    public func identity() async -> String { await deployment.identity }
}
