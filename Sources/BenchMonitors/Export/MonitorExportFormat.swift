/// The file formats of `monitor export`.
public enum MonitorExportFormat: String, CaseIterable, Sendable {
    /// `{"schema": "bench.monitor/1", "window": …, "queries": {NAME: {promql, series}}}`.
    case json
    /// One row per sample: `name,labels,timestamp,value`.
    case csv
}
