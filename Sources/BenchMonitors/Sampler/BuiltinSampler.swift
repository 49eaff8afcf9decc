import BenchCore
import BenchNetwork
import BenchPlacement
import Foundation

/// The monitor for machines without Prometheus: every `interval` it scrapes the attached
/// targets' metrics endpoints (Prometheus text format) and reads their process groups' CPU time
/// and RSS from /proc, keeping the samples in memory (bounded by `SampleStore`).
///
/// Series carry the target's labels plus `job="bench"` and `instance` (host:port), like
/// Prometheus' own; `up` is 1 or 0 per scrape. The /proc series are
/// `bench_process_cpu_seconds_total`, `bench_process_resident_memory_bytes` and
/// `bench_process_count`, labelled with the target's labels. Queries are `SamplerQuery`s: a metric
/// name or `rate(NAME[Ns])`, not PromQL.
public actor BuiltinSampler: Monitor {
    public nonisolated let name = "sampler"
    public nonisolated let queries: [NamedQuery]
    public nonisolated let interval: BenchDuration

    /// What every sampler summarises unless the recipe names other queries.
    public static let defaultQueries = [
        NamedQuery(name: "process_cpu_cores", promql: "rate(bench_process_cpu_seconds_total[5s])"),
        NamedQuery(name: "process_rss_bytes", promql: "bench_process_resident_memory_bytes"),
    ]

    private let http: SlowHTTPClient
    private var store: SampleStore
    private var targets: [String: MonitorTarget] = [:]
    private var health: [String: ScrapeTarget] = [:]
    private var loop: Task<Void, Never>?
    /// When the last round of scrapes ended: a sampler whose loop stalls stops answering.
    private var lastSampleAt: Date?

    public init(interval: BenchDuration = BenchDuration(seconds: 1), queries: [NamedQuery] = BuiltinSampler.defaultQueries,
                store: SampleStore = SampleStore(), scrapeTimeout: Duration? = nil) {
        self.interval = BenchDuration(seconds: max(interval.seconds, 0.05))
        self.queries = queries
        self.store = store
        // A scrape may take at most the interval (at least 1 s), as in Prometheus.
        // 16 MiB of metrics plus room for the head, the limit scrape errors have always named.
        self.http = SlowHTTPClient(timeout: scrapeTimeout ?? .milliseconds(Int(max(1000, interval.seconds * 1000))),
                                   maxResponseBytes: (16 << 20) + 64 * 1024)
    }

    /// From a `type: sampler` recipe: its interval; its queries when it names any.
    public init(recipe: MonitorRecipe) {
        self.init(interval: recipe.interval, queries: recipe.queries.isEmpty ? Self.defaultQueries : recipe.queries)
    }

    /// Takes a first sample, then keeps sampling every `interval` until `stop`.
    public func start() async throws {
        guard loop == nil else { return }
        await sampleOnce()
        let period = interval.seconds
        loop = Task { [weak self] in
            var next = Date().timeIntervalSince1970 + period
            while !Task.isCancelled {
                let wait = next - Date().timeIntervalSince1970
                if wait > 0 { try? await Task.sleep(for: .milliseconds(Int(wait * 1000))) }
                if Task.isCancelled { return }
                guard let self else { return }
                await self.sampleOnce()
                // Skip ticks rather than bunching up after a slow scrape.
                next = max(next + period, Date().timeIntervalSince1970 + period / 2)
            }
        }
    }

    public func attach(_ target: MonitorTarget) async throws {
        guard target.port != nil || target.processGroup != nil else {
            throw BenchError("\(target.name) has neither a metrics endpoint nor a local process to sample")
        }
        targets[target.name] = target
    }

    public func detach(name: String) async throws {
        targets[name] = nil
        health[name] = nil
    }

    public func stop() async {
        loop?.cancel()
        loop = nil
    }

    /// Whether it still samples: a round ended within the last five intervals (at least 5 s, as a
    /// round waits for its slowest scrape).
    public func answers() -> Bool {
        guard loop != nil, let lastSampleAt else { return false }
        return Date().timeIntervalSince(lastSampleAt) < max(5, 5 * interval.seconds)
    }

    /// The attached targets' last scrape, in the shape of Prometheus' `/api/v1/targets`.
    public func targetStatus() -> [ScrapeTarget] {
        health.values.sorted { ($0.labels["handle"] ?? "") < ($1.labels["handle"] ?? "") }
    }

    /// How many series are held (and refused at the cap).
    public var storeStatus: (series: Int, droppedSeries: Int) { (store.seriesCount, store.droppedSeries) }

    public func rangeQueries(_ queries: [NamedQuery], window: TimeWindow) async -> [NamedQueryResult] {
        let from = window.start.timeIntervalSince1970
        let to = window.end.timeIntervalSince1970
        return queries.map { query in
            do {
                let parsed = try SamplerQuery(parsing: query.promql)
                return NamedQueryResult(name: query.name, promql: query.promql,
                                        series: parsed.evaluate(in: store, from: from, to: to))
            } catch {
                return NamedQueryResult(name: query.name, promql: query.promql, series: [], error: "\(error)")
            }
        }
    }

    /// Scrapes every target once (concurrently) and reads /proc; public for tests and `monitor sample`.
    public func sampleOnce() async {
        let snapshot = Array(targets.values)
        let client = http
        let scrapes = await withTaskGroup(of: (MonitorTarget, Result<String, Error>?, Double, Double).self) { group in
            for target in snapshot {
                group.addTask {
                    guard let port = target.port else { return (target, nil, Date().timeIntervalSince1970, 0) }
                    let began = Date()
                    let result: Result<String, Error>
                    do {
                        let response = try await client.get(host: target.host, port: port, path: target.metricsPath)
                        result = response.status == 200 ? .success(response.text)
                            : .failure(BenchError("server returned HTTP status \(response.status)"))
                    } catch {
                        result = .failure(error)
                    }
                    return (target, result, began.timeIntervalSince1970, Date().timeIntervalSince(began))
                }
            }
            var all: [(MonitorTarget, Result<String, Error>?, Double, Double)] = []
            for await item in group { all.append(item) }
            return all
        }
        for (target, result, time, duration) in scrapes where targets[target.name] == target {
            record(target: target, scrape: result, time: time, duration: duration)
        }
        lastSampleAt = Date()
    }

    private func record(target: MonitorTarget, scrape: Result<String, Error>?, time: Double, duration: Double) {
        var base = target.labels
        base["job"] = "bench"
        if let address = target.address { base["instance"] = address }
        if let scrape {
            var up = 0.0
            var lastError = ""
            switch scrape {
            case .success(let text):
                up = 1
                for sample in MetricsTextParser.parse(text) {
                    var labels = sample.labels
                    for (key, value) in base { labels[key] = value }
                    labels["__name__"] = sample.name
                    store.append(labels: labels, sample: MetricSample(time: time, value: sample.value))
                }
            case .failure(let error):
                lastError = "\(error)"
            }
            var upLabels = base
            upLabels["__name__"] = "up"
            store.append(labels: upLabels, sample: MetricSample(time: time, value: up))
            health[target.name] = ScrapeTarget(
                labels: base, scrapePool: "bench",
                scrapeURL: "http://\(target.address ?? target.host)\(target.metricsPath)",
                health: up == 1 ? .up : .down, lastError: lastError,
                lastScrape: Date(timeIntervalSince1970: time), lastScrapeDuration: duration)
        }
        if let group = target.processGroup {
            let usage = ProcessInspector.usage(ofGroup: group)
            let now = Date().timeIntervalSince1970
            guard usage.processCount > 0 else { return }  // gone: leave a gap, as Prometheus would
            for (name, value) in [("bench_process_cpu_seconds_total", usage.cpuSeconds),
                                  ("bench_process_resident_memory_bytes", Double(usage.rssBytes)),
                                  ("bench_process_count", Double(usage.processCount))] {
                var labels = base
                labels["__name__"] = name
                store.append(labels: labels, sample: MetricSample(time: now, value: value))
            }
        }
    }
}
