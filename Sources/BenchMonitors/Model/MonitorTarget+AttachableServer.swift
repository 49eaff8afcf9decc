extension MonitorTarget {
    /// The target for a server: its metrics port (`metricsPort`, the recipe's `metrics.port`, e.g.
    /// the exporter's), labelled with handle, recipe and session.
    public init(server: AttachableServer, metricsPort: String?, metricsPath: String = "/metrics", session: String) {
        var labels = ["handle": server.handle.description, "recipe": server.recipeName, "session": session]
        if let alias = server.alias { labels["alias"] = alias }
        self.init(name: server.handle.description, host: server.endpoint.host,
                  port: metricsPort.flatMap { server.endpoint.ports[$0] }, metricsPath: metricsPath,
                  labels: labels, processGroup: server.localProcessGroup)
    }
}
