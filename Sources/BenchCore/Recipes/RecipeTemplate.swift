/// The commented starting point `recipe new KIND NAME` writes: every field with its default.
public enum RecipeTemplate {
    /// A template for a recipe of `kind` named `name` that passes validation as written.
    public static func text(kind: RecipeKind, name: String) -> String {
        let shownName = ["null", "Null", "NULL", "~"].contains(name) ? "\"\(name)\"" : name
        let header = """
            # \(kind.rawValue.capitalized) recipe '\(name)'. bench finds recipes by file name: keep this file at
            # \(kind.folderName)/\(name).yaml under a recipe directory (--recipes DIR, $BENCH_RECIPES, ./recipes).
            # Check it with 'recipe check FILE'; every field is described in recipes/README.md.
            name: \(shownName)                        # must equal the file name
            description: ""                     # one line shown by '\(kind.rawValue) list'

            """
        switch kind {
        case .server: return header + server
        case .client: return header + client
        case .monitor: return header + monitor
        }
    }

    private static let server = """
        # How to start one instance: exactly one of 'command' (an argv list, run directly) or 'script'
        # (a /bin/sh body; end it with 'exec' so the service is the process bench watches).
        # Placeholders: {{host}}, {{port.NAME}}, {{dir}} (this instance's folder), {{cache}} (bench's
        # cache folder), {{session}} (the session folder), {{set.KEY}} (from 'settings' below).
        # Quote a value that starts with '{{', or YAML reads it as a mapping.
        service:
          command: [python3, -m, http.server, "{{port.main}}", --bind, "{{host}}"]
          # script: |
          #   exec python3 -m http.server {{port.main}} --bind {{host}}
          workdir: "{{dir}}"                # working directory (default: the instance folder)

        env: {}                             # extra environment, e.g. {PYTHONUNBUFFERED: "1"}; placeholders allowed

        ports:                              # named ports: 'auto' takes a free one at start, or a fixed 1..65535
          main: auto

        # container:                        # optional; used with Apptainer on SLURM, ignored by local runs
        #   image: docker://python:3.12-slim
        #   binds: ["{{dir}}:/data"]        # host:container bind mounts (default none)
        #   gpu: false                      # pass the GPUs through (default false)

        readiness:                          # optional; without it an instance is ready once its process runs
          type: http                        # http | tcp | log | command
          port: main                        # http, tcp: the named port to probe (default main)
          path: /                           # http: the path to GET (default /)
          status: 200                       # http: the expected status (default 200)
          # body: "text"                    # http: the response must contain this (default: any body)
          # line: "Ready to accept"         # log: a line containing this text (or regex: PATTERN)
          # stream: any                     # log: stdout | stderr | any (default any)
          # command: [pg_isready, -h, "{{host}}", -p, "{{port.main}}"]   # command: ready when it exits 0
          timeout: 30s                      # give up, stop the instance and fail after this long (default 30s)
          interval: 200ms                   # pause between probes (default 200ms)

        # metrics:                          # optional: where Prometheus scrapes this service
        #   port: main                      # the service serves its own metrics on this named port ...
        #   path: /metrics                  # ... at this path (default /metrics)
        #   exporter:                       # ... or an exporter runs beside it (then no metrics.port)
        #     command: [prometheus-foo-exporter, "--web.listen-address={{host}}:{{port.metrics}}"]
        #     port: metrics                 # a port declared under 'ports'
        #     env: {}                       # extra environment for the exporter

        resources:                          # what one instance asks of SLURM (only reported by local runs)
          nodes: 1                          # default 1
          cpu_cores: 1                      # default 1
          memory_gb: 1                      # default 1
          gpu_count: 0                      # default 0
          time_limit: 1h                    # default 1h
          # partition: debug                # default: the cluster's default partition

        settings: {}                        # defaults for {{set.KEY}}; 'server start NAME --set KEY=VALUE' overrides

        """

    private static let client = """
        kind: http                          # http | openai | redis | memcached | chroma | exec

        target:                             # the server recipe this client is written for
          service: nginx                    # 'client run NAME --target s1' binds it to a running instance
          port: main                        # the named port to send to (default main)

        workload:
          mode: closed                      # closed: 'concurrency' connections back to back | open: 'rate' arrivals/s
          concurrency: 10                   # connections (closed) or the cap on requests in flight (open); default 10
          # rate: 100                       # open only, and required there: requests per second
          # arrival: constant               # open only: constant | poisson (default constant)
          duration: 10s                     # measured time (default 10s)
          # requests: 1000                  # also stop after this many requests (default: no limit)
          warmup: 0s                        # load sent first and not measured (default 0s)
          seed: 1                           # seeds every random choice, so a replay sends the same load (default 1)

        params:                             # kind-specific; these are http's, recipes/README.md lists the others
          method: GET                       # default GET
          path: /                           # default /
          headers: {}                       # extra request headers (default none)
          # body: "..."                     # request body (or body_file: PATH, not both)
          expect_status: 200                # other statuses count as errors (default 200)

        slo: {}                             # objectives for goodput, e.g. {p99_ms: 50}; openai: ttft_ms, tpot_ms, e2el_ms

        """

    private static let monitor = """
        type: prometheus                    # prometheus: bench deploys a real Prometheus | sampler: built-in fallback
        # interval: 1s                      # sampler only: time between samples (default 1s)

        prometheus:
          scrape_interval: 1s               # default 1s
          retention: 1d                     # default 1d
          port: auto                        # auto or a fixed port (default auto)
          binary: prometheus                # the executable, found on PATH (default prometheus)

        exporters: [node]                   # host exporters started with it: node, redis, postgres, nginx (default [node])

        queries: {}                         # named PromQL summarised per run, e.g. {rss: process_resident_memory_bytes}

        """
}
