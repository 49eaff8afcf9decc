/// The commented starting point `recipe new KIND NAME` writes: every field with its default.
public enum RecipeTemplate {
    /// The client kinds with a template: those the load engine runs, so a template is never a recipe
    /// that cannot be used.
    public static let clientKinds: [ClientKind] = [.http, .openai, .redis, .memcached, .chroma, .exec]

    /// A template for a recipe of `kind` named `name` that passes validation as written; `clientKind`
    /// picks the client template (http when nil).
    public static func text(kind: RecipeKind, name: String, clientKind: ClientKind? = nil) -> String {
        let shownName = ["null", "Null", "NULL", "~"].contains(name) ? "\"\(name)\"" : name
        let header = """
            # \(kind.rawValue.capitalized) recipe '\(name)'. bench finds recipes by file name: keep this file at
            # \(kind.folderName)/\(name).yaml under a recipe directory (--recipes DIR, $BENCH_RECIPES, ./recipes).
            # Check it with 'recipe check FILE'; every field is described in recipes/README.md.
            \(("name: " + shownName).padding(toLength: max(36, shownName.count + 7), withPad: " ", startingAt: 0))# must equal the file name
            description: ""                     # one line shown by '\(kind.rawValue) list'

            """
        switch kind {
        case .server: return header + "\n" + server
        case .client: return header + client(clientKind ?? .http)
        case .monitor: return header + "\n" + monitor
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

    /// The client template of one kind: its target, a workload shaped for it and its params.
    private static func client(_ kind: ClientKind) -> String {
        let (service, workload, params, slo): (String, String, String, String)
        switch kind {
        case .openai: (service, workload, params, slo) = ("llama-smollm2", openWorkload, openaiParams, openaiSLO)
        case .redis: (service, workload, params, slo) = ("redis", closedWorkload, redisParams, latencySLO)
        case .memcached: (service, workload, params, slo) = ("memcached", closedWorkload, memcachedParams, latencySLO)
        case .chroma: (service, workload, params, slo) = ("chroma", closedWorkload, chromaParams, latencySLO)
        case .exec: (service, workload, params, slo) = ("postgres", closedWorkload, execParams, latencySLO)
        default: (service, workload, params, slo) = ("nginx", closedWorkload, httpParams, latencySLO)
        }
        // Comments start in one column, as in the fixed parts of the template.
        func commented(_ text: String, _ comment: String) -> String {
            text + String(repeating: " ", count: max(1, 36 - text.count)) + "# " + comment
        }
        return [
            "",
            commented("kind: \(kind.rawValue)", "the protocol: \(clientKinds.map(\.rawValue).joined(separator: " | ")) (recipe new client NAME --kind K)"),
            "",
            commented("target:", "the server recipe this client is written for"),
            commented("  service: \(service)", "'client run NAME --target s1' binds it to a running instance"),
            commented("  port: main", "the named port to send to (default main)"),
            "",
            "",
        ].joined(separator: "\n") + [workload, params, slo].joined(separator: "\n")
    }

    private static let closedWorkload = """
        workload:
          mode: closed                      # closed: 'concurrency' connections back to back | open: 'rate' arrivals/s
          concurrency: 10                   # connections (closed) or the cap on requests in flight (open); default 10
          # rate: 100                       # open only, and required there: requests per second
          # arrival: constant               # open only: constant | poisson (default constant)
          duration: 10s                     # measured time (default 10s)
          # requests: 1000                  # also stop after this many requests (default: no limit)
          warmup: 0s                        # load sent first and not measured (default 0s)
          seed: 1                           # seeds every random choice, so a replay sends the same load (default 1)

        """

    private static let openWorkload = """
        workload:
          mode: open                        # open: 'rate' arrivals/s whether or not earlier requests finished (as vLLM's bench serve)
          rate: 1                           # requests per second; 'client run NAME --rate 4' overrides
          arrival: poisson                  # constant | poisson (default constant)
          concurrency: 16                   # the cap on requests in flight (default 10)
          duration: 30s                     # measured time (default 10s)
          # requests: 100                   # also stop after this many requests (default: no limit)
          warmup: 0s                        # load sent first and not measured (default 0s)
          seed: 1                           # seeds arrivals and prompts, so a replay sends the same load (default 1)

        """

    private static let httpParams = """
        params:                             # http's; recipes/README.md lists every kind's
          method: GET                       # default GET
          path: /                           # default /
          headers: {}                       # extra request headers (default none)
          # body: "..."                     # request body (or body_file: PATH, not both)
          expect_status: 200                # other statuses count as errors (default 200)

        """

    private static let redisParams = """
        params:                             # redis's (RESP); recipes/README.md lists every kind's
          command: mixed                    # get | set | mixed (default get)
          ratio: "1:10"                     # SET:GET of a mixed workload (quoted, or YAML reads a base-60 number)
          keyspace: 10000                   # keys key:0 … key:N-1 (default 10000)
          value_size: 64B                   # bytes per SET value (default 64B)
          pipeline: 1                       # commands per round trip on a connection, 1…1024 (default 1)

        """

    private static let openaiParams = """
        params:                             # openai's, named as in vLLM's bench serve; recipes/README.md lists every kind's
          endpoint: chat                    # chat: /v1/chat/completions | completions: /v1/completions (streamed)
          # model: my-model                 # the request's model (default: the server's first model)
          max_tokens: 64                    # default 64
          temperature: 0                    # default 0
          ignore_eos: false                 # true keeps generating past end-of-sequence, for fixed output lengths
          dataset: random                   # random | file | sharegpt (default random)
          input_len: 128                    # prompt tokens of the random dataset (default 128)
          output_len: 64                    # output tokens of the random dataset (default 64)
          range_ratio: 0                    # lengths vary uniformly within ± this fraction (default 0)
          # dataset_path: prompts.jsonl     # required for file (JSONL) and sharegpt (JSON)
          # api_key_env: OPENAI_API_KEY     # the environment variable holding the API key (never written anywhere)

        """

    private static let memcachedParams = """
        params:                             # memcached's (text protocol), the same names as redis's; recipes/README.md lists every kind's
          command: mixed                    # get | set | mixed (default get)
          ratio: "1:10"                     # SET:GET of a mixed workload (quoted, or YAML reads a base-60 number)
          keyspace: 10000                   # keys key:0 … key:N-1 (default 10000)
          key_prefix: "key:"                # no spaces; a whole key is at most 250 bytes (default key:)
          value_size: 64B                   # bytes per SET value (default 64B)
          pipeline: 1                       # commands in flight per connection, 1…1024 (default 1)
          ttl: 0s                           # expiry of each SET: 0s keeps items until evicted; 30s, 1h, … up to 30 days (default 0)

        """

    private static let chromaParams = """
        params:                             # chroma's: load a dataset, then query it and score recall@k; recipes/README.md lists every kind's
          phases: [load, query]             # load | query | mixed (queries while insert_rate vectors/s arrive)
          collection: auto                  # auto: named after the dataset and index settings, reused when it matches
          dataset: clustered                # uniform | clustered | file (dataset_path: .npy, .fvecs, .bvecs, .jsonl)
          vectors: 10000                    # rows of a synthetic dataset (a file: at most this many; auto: all)
          dim: 384                          # a synthetic dataset's dimension (a file brings its own)
          queries: 1000                     # distinct query vectors; their exact nearest neighbours are computed
          distance: l2                      # l2 | cosine | ip (Chroma's hnsw:space)
          n_results: 10                     # k of top-k and of recall@k
          batch_size: 100                   # vectors per add in the load phase
          load_concurrency: 4               # connections of the load phase
          search_ef: 100                    # HNSW ef_search, fixed when the collection is created
          dataset_seed: 1                   # seeds the data (not the workload), so every run searches the same vectors

        """

    private static let execParams = """
        params:                             # exec's: an external tool as the client; recipes/README.md lists every kind's
          package: postgresql-client        # the Debian package with the tool, named if it is missing
          settings:                         # defaults for {{set.KEY}}; 'client run NAME --set scale=50' overrides one
            scale: "1"
          setup:                            # run before the warm-up and the measured run, not measured (default none)
            - [pgbench, -i, -q, -s, "{{set.scale}}", -h, "{{host}}", -p, "{{port}}", -U, postgres, postgres]
          # The measured run. Placeholders: {{host}} {{port}} {{duration_s}} {{concurrency}} {{rate}} {{requests}}
          # {{seed}} {{run_dir}} (the run's folder, the tool's working directory) {{set.KEY}}.
          command: [pgbench, -h, "{{host}}", -p, "{{port}}", -U, postgres, -c, "{{concurrency}}", -T, "{{duration_s}}",
                    -l, "--log-prefix={{run_dir}}/log", postgres]
          metrics:                          # figures read from its output: {regex: with one capture group} or {json: a.b[0].c}
            tps: {regex: 'tps = ([0-9.]+)'}
            latency_avg_ms: {regex: 'latency average = ([0-9.]+) ms', merge: mean}   # merge: sum | mean | max | min (default sum)
          # requests_metric: transactions   # a metric counting the requests, when there is no latency_log
          latency_log:                      # a per-request log, read into bench's latency histograms (default none)
            files: "{{run_dir}}/log*"
            latency_column: 3               # 1-based column with each request's latency
            unit: us                        # us | ms | s (default us)
          grace: 30s                        # how long past the duration the tool may run before it is killed (default 30s)

        """

    private static let latencySLO = """
        slo: {}                             # objectives, e.g. {p99_ms: 50}

        """

    private static let openaiSLO = """
        slo: {}                             # objectives for goodput, e.g. {ttft_ms: 500, tpot_ms: 50, e2el_ms: 5000}

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
