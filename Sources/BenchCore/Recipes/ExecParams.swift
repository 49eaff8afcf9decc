/// An external tool run as a client (`kind: exec`): pgbench, redis-benchmark, memcslap, any program.
///
/// bench fills the target's endpoint and the run's shape into the tool's argv, runs it once for the
/// warm-up (when there is one) and once measured, keeps what it printed in the run folder, and turns
/// it into a standard result: the named metrics the recipe extracts, the tool's exit status, and
/// latency histograms when the tool writes a per-request log.
public struct ExecParams: Sendable, Equatable {
    /// The measured run: an argv with placeholders (`ExecPlaceholders`).
    public let command: [String]
    /// Commands run in order before the warm-up and the measured run, not measured (e.g. `pgbench -i`).
    public let setup: [[String]]
    /// The Debian package that provides the tool, named when it is not installed.
    public let package: String?
    /// Figures read from the tool's output, in the recipe's order.
    public let metrics: [ExecMetric]
    /// The metric that counts requests done (transactions, operations): the run's counts and throughput.
    public let requestsMetric: String?
    /// A per-request log the tool writes, read into bench's latency histograms.
    public let latencyLog: ExecLatencyLog?
    /// Defaults for `{{set.KEY}}`; `--set KEY=VALUE` overrides one.
    public let settings: [String: String]
    /// How long past the run's duration the tool may take before it is stopped. Default 30s.
    public let grace: BenchDuration

    public init(command: [String], setup: [[String]] = [], package: String? = nil, metrics: [ExecMetric] = [],
                requestsMetric: String? = nil, latencyLog: ExecLatencyLog? = nil, settings: [String: String] = [:],
                grace: BenchDuration = BenchDuration(seconds: 30)) {
        self.command = command
        self.setup = setup
        self.package = package
        self.metrics = metrics
        self.requestsMetric = requestsMetric
        self.latencyLog = latencyLog
        self.settings = settings
        self.grace = grace
    }

    /// The same tool with some settings replaced (`--set`).
    public func with(settings replaced: [String: String]) -> ExecParams {
        ExecParams(command: command, setup: setup, package: package, metrics: metrics, requestsMetric: requestsMetric,
                   latencyLog: latencyLog, settings: settings.merging(replaced) { $1 }, grace: grace)
    }
}

/// One figure read from a tool's output.
public struct ExecMetric: Sendable, Equatable {
    /// Where the number is in the output.
    public enum Source: Sendable, Equatable {
        /// The first capture group of the first match of a regular expression.
        case regex(String)
        /// A dotted path into the output parsed as JSON (`totals.ops_per_sec`, `results[0].tps`).
        case json(String)
    }

    /// How parts of a run on several nodes combine: rates and counts add up, averages do not.
    public enum Merge: String, Sendable, CaseIterable {
        case sum, mean, max, min
    }

    public let name: String
    public let source: Source
    public let merge: Merge

    public init(name: String, source: Source, merge: Merge = .sum) {
        self.name = name
        self.source = source
        self.merge = merge
    }
}

/// A per-request log (pgbench's `-l`): one line per request, whitespace-separated columns.
public struct ExecLatencyLog: Sendable, Equatable {
    /// The unit of a log's times.
    public enum Unit: String, Sendable, CaseIterable {
        case us, ms, s

        /// Microseconds in one of this unit.
        public var micros: Double {
            switch self {
            case .us: 1
            case .ms: 1_000
            case .s: 1_000_000
            }
        }
    }

    /// A file name pattern with `*` (placeholders allowed), e.g. `{{run_dir}}/pgbench_log.*`.
    public let files: String
    /// The 1-based column holding a request's latency.
    public let latencyColumn: Int
    /// The 1-based column holding how late the request started against its schedule (pgbench -R), if any.
    public let lagColumn: Int?
    public let unit: Unit

    public init(files: String, latencyColumn: Int, lagColumn: Int? = nil, unit: Unit = .us) {
        self.files = files
        self.latencyColumn = latencyColumn
        self.lagColumn = lagColumn
        self.unit = unit
    }
}
