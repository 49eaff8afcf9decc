import BenchCore

/// Watches servers while clients run: a real Prometheus, or the built-in sampler where none is installed.
///
/// The manager treats both alike: start, attach and detach targets by server handle, read named
/// queries over a run's window (`MonitorExport` writes and summarises them), watch that it still
/// runs and answers, stop, and start again (`monitor restart`).
public protocol Monitor: AnyObject, Sendable {
    /// A short name shown in status (`prometheus`, `sampler`).
    var name: String { get }
    /// The recipe's named queries: what every run summary and export includes.
    var queries: [NamedQuery] { get }
    /// Time between samples; exports use it as their step.
    var interval: BenchDuration { get }
    /// Deploys or begins sampling; returns once the first samples are in. After `stop` (or a death)
    /// it starts again with the same targets and the samples it kept (Prometheus reuses its TSDB).
    func start() async throws
    /// Starts scraping `target` (replacing an earlier target of the same name).
    func attach(_ target: MonitorTarget) async throws
    /// Waits, boundedly, until newly attached targets have been sampled once, so that a run started
    /// next has samples from before its start. Never fails: `monitor targets` shows what did not settle.
    func settle(_ targets: [MonitorTarget]) async
    /// Stops scraping the target called `name`; samples already taken stay queryable.
    func detach(name: String) async throws
    /// The series of each query over `window`, one value per `interval`; a failing query gets
    /// its error text instead of series, so one bad query does not spoil an export.
    func rangeQueries(_ queries: [NamedQuery], window: TimeWindow) async -> [NamedQueryResult]
    /// Stops everything the monitor started; safe to call twice.
    func stop() async
    /// A process of the monitor that ended on its own since the last call, or nil while all run.
    /// The manager polls this every 250 ms, never while it stops or restarts the monitor.
    func poll() async -> MonitorEnding?
    /// Whether it answers now: a bounded request of a few seconds at most.
    func answers() async -> Bool
    /// What runs it, for `monitor status`: `pid 4242`, `job 45`, `in bench`.
    func identity() async -> String
}

extension Monitor {
    /// Monitors that sample on attach need no waiting.
    public func settle(_ targets: [MonitorTarget]) async {}

    /// Monitors that run inside bench have no process to end on its own.
    public func poll() async -> MonitorEnding? { nil }

    public func identity() async -> String { "in bench" }

    /// Writes the recipe's queries plus `extra` over `window` to `path` (atomically).
    public func export(window: TimeWindow, extra: [NamedQuery] = [], format: MonitorExportFormat,
                       to path: String) async throws {
        let results = await rangeQueries(MonitorExport.merge(queries, extra), window: window)
        try MonitorExport.write(results, window: window, format: format, to: path)
    }

    /// The recipe's queries plus `extra` over `window`, reduced to mean, max and last per series.
    public func summary(window: TimeWindow, extra: [NamedQuery] = []) async -> MonitorSummary {
        MonitorExport.summarize(await rangeQueries(MonitorExport.merge(queries, extra), window: window), window: window)
    }
}
