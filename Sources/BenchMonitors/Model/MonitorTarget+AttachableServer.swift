import BenchServers

extension MonitorTarget {
    /// The target for a server instance: its metrics port (`metricsPort`, the recipe's
    /// `metrics.port`, e.g. the exporter's), labelled with handle, recipe and session.
    public init(instance: ServerInstance, metricsPort: String?, metricsPath: String = "/metrics", session: String) {
        var labels = ["handle": instance.handle.description, "recipe": instance.recipeName, "session": session]
        if let alias = instance.alias { labels["alias"] = alias }
        self.init(name: instance.handle.description, host: instance.endpoint.host,
                  port: metricsPort.flatMap { instance.endpoint.ports[$0] }, metricsPath: metricsPath,
                  labels: labels, processGroup: instance.runtime.localProcessGroup)
    }
}
