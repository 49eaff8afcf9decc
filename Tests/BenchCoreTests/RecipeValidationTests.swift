import XCTest
@testable import BenchCore

/// Bad recipes and the exact errors they produce: `file:line:column: field: message`.
final class RecipeValidationTests: XCTestCase {
    private struct Case {
        let title: String
        let kind: RecipeKind
        let yaml: String
        let errors: [String]
        let line: UInt

        init(_ title: String, _ kind: RecipeKind, _ yaml: String, _ errors: [String], line: UInt = #line) {
            self.title = title
            self.kind = kind
            self.yaml = yaml
            self.errors = errors
            self.line = line
        }
    }

    private static let durations = BenchDuration.acceptedForms
    private static let sizes = ByteSize.acceptedForms
    private static let placeholders = RecipePlaceholders.validForms

    private static let cases: [Case] = [
        // Unknown fields, with and without a suggestion.
        Case("misspelt top-level field", .server, """
            name: s
            service:
              command: [redis-server]
            readines:
              type: tcp
            """, ["S:4:1: readines: unknown field; did you mean 'readiness'?"]),
        Case("unknown nested field", .server, """
            name: s
            service:
              command: [x]
              flavour: vanilla
            """, ["S:4:3: service.flavour: unknown field (valid fields: command, script, workdir)"]),
        // Wrong types.
        Case("command as a string", .server, """
            name: s
            service:
              command: redis-server --port 1
            """, ["S:3:12: service.command: expected a list of strings, found 'redis-server --port 1'; write the program and its arguments as a list, e.g. [redis-server, --port, '{{port.main}}'], or use 'script' for a shell body"]),
        Case("ports as a list", .server, """
            name: s
            service:
              command: [x]
            ports: [main]
            """, ["S:4:8: ports: expected a mapping of port names to 'auto' or a port number, found a list"]),
        Case("list item of the wrong type", .server, """
            name: s
            service:
              command: [x, [y]]
            """, ["S:3:16: service.command[1]: expected a string, found a list"]),
        Case("unquoted placeholder", .server, """
            name: s
            service:
              command:
                - x
                - {{port.main}}
            ports: {main: auto}
            """, ["S:5:7: service.command[1]: expected a string, found a mapping; quote a value that starts with '{{', e.g. \"{{port.main}}\""]),
        Case("integer field given text", .server, """
            name: s
            service:
              command: [x]
            resources:
              nodes: two
              memory_gb: 0
            """, [
                "S:5:10: resources.nodes: expected an integer, found 'two'",
                "S:6:14: resources.memory_gb: must be greater than 0, found 0",
            ]),
        // Missing required fields point at the enclosing mapping.
        Case("missing service", .server, """
            name: s
            description: nothing to run
            """, ["S:1:1: service: missing required field"]),
        Case("command and script", .server, """
            name: s
            service:
              command: [x]
              script: exec x
            """, ["S:3:3: service: give either 'command' or 'script', not both"]),
        Case("neither command nor script", .server, """
            name: s
            service:
              workdir: /tmp
            """, ["S:3:3: service: missing 'command' (an argv list) or 'script' (a shell body)"]),
        Case("empty command", .server, """
            name: s
            service:
              command: []
            """, ["S:3:12: service.command: must not be empty; give the program and its arguments"]),
        // Durations, sizes, ports, enums.
        Case("bad duration", .server, """
            name: s
            service:
              command: [x]
            ports:
              main: auto
            readiness:
              type: tcp
              timeout: 30 seconds
            """, ["S:8:12: readiness.timeout: '30 seconds' is not a duration; use \(durations)"]),
        Case("duration without a unit", .client, """
            name: c
            kind: http
            target: {service: nginx, port: main}
            workload:
              duration: 10
            params:
              path: /
            """, ["C:5:13: workload.duration: '10' has no unit; write '10s' for seconds (\(durations))"]),
        Case("bad ports", .server, """
            name: s
            service:
              command: [x]
            ports:
              main: 70000
              admin: automatic
              9x: auto
            """, [
                "S:5:9: ports.main: '70000' is not a port; use 'auto' or a number from 1 to 65535",
                "S:6:10: ports.admin: 'automatic' is not a port; use 'auto' or a number from 1 to 65535",
                "S:7:3: ports.9x: port names are ASCII letters, digits, '_' and '-', starting with a letter",
            ]),
        Case("same fixed port twice", .server, """
            name: s
            service:
              command: [x]
            ports:
              main: 8080
              admin: 8080
            """, ["S:6:10: ports.admin: port 8080 is also given to 'main'"]),
        Case("enum value", .server, """
            name: s
            service:
              command: [x]
            ports:
              main: auto
            readiness:
              type: htp
            """, ["S:7:9: readiness.type: 'htp' is not one of http, tcp, log, command; did you mean 'http'?"]),
        Case("field of another readiness type", .server, """
            name: s
            service:
              command: [x]
            ports:
              main: auto
            readiness:
              type: tcp
              path: /health
            """, ["S:8:3: readiness.path: not used by readiness type 'tcp' (its fields: port, timeout, interval)"]),
        Case("readiness port not declared", .server, """
            name: s
            service:
              command: [x]
            ports:
              main: auto
            readiness:
              type: http
              port: admin
            """, ["S:8:9: readiness.port: 'admin' is not declared in 'ports' (declared: main)"]),
        Case("readiness port misspelt", .server, """
            name: s
            service:
              command: [x]
            ports:
              main: auto
            readiness:
              type: tcp
              port: mian
            """, ["S:8:9: readiness.port: 'mian' is not declared in 'ports'; did you mean 'main'?"]),
        Case("readiness default port without ports", .server, """
            name: s
            service:
              command: [x]
            readiness:
              type: tcp
            """, ["S:5:3: readiness.port: defaults to 'main', which is not declared in 'ports' (no ports are declared)"]),
        Case("log readiness without a line", .server, """
            name: s
            service:
              command: [x]
            readiness:
              type: log
              stream: stdrr
            """, [
                "S:5:3: readiness.line: missing required field ('line' for text the log line contains, or 'regex')",
                "S:6:11: readiness.stream: 'stdrr' is not one of stdout, stderr, any; did you mean 'stderr'?",
            ]),
        Case("metrics without port or exporter", .server, """
            name: s
            service:
              command: [x]
            metrics:
              path: /metrics
            """, ["S:5:3: metrics: missing 'port' (the service serves its own metrics) or 'exporter' (a process started beside it)"]),
        Case("exporter without port", .server, """
            name: s
            service:
              command: [x]
            metrics:
              exporter:
                command: [e]
            """, ["S:6:5: metrics.exporter.port: missing required field"]),
        // Name and file name.
        Case("name differs from the file name", .server, """
            name: redis2
            service:
              command: [x]
            """, ["S:1:7: name: 'redis2' does not match the file name 's'; recipes are looked up by file name, so rename one of them"]),
        // Placeholders.
        Case("placeholders in argv and env", .server, """
            name: s
            service:
              command: [x, "--port={{port.metric}}", "{{hots}}", "{{ dir }}"]
            env:
              THREADS: "{{set.threads}}"
              CACHE: "{{cache}}/{{session}}"
            ports:
              main: auto
              metrics: auto
            """, [
                "S:3:24: service.command[1]: placeholder '{{port.metric}}' names a port that is not declared in 'ports'; did you mean 'metrics'?",
                "S:3:43: service.command[2]: unknown placeholder '{{hots}}'; did you mean '{{host}}'? (valid: \(placeholders))",
                "S:5:13: env.THREADS: placeholder '{{set.threads}}' has no default in 'settings' (add 'threads' under settings)",
            ]),
        Case("placeholder on a line of a script", .server, """
            name: s
            service:
              script: |
                mkdir -p {{dir}}/data
                exec server --port {{port.main}} --threads {{set.thread}}
            ports:
              main: auto
            settings:
              threads: "2"
            """, ["S:5:48: service.script: placeholder '{{set.thread}}' has no default in 'settings'; did you mean 'threads'?"]),
        Case("unclosed placeholder and undeclared exporter port", .server, """
            name: s
            service:
              command: [x, "{{port.main"]
            ports:
              main: auto
            metrics:
              exporter:
                command: [e, "--listen={{host}}:{{port.metrics}}"]
                port: metrics
            """, [
                "S:3:17: service.command[1]: '{{' has no closing '}}'",
                "S:8:37: metrics.exporter.command[1]: placeholder '{{port.metrics}}' names a port that is not declared in 'ports' (declared: main)",
                "S:9:11: metrics.exporter.port: 'metrics' is not declared in 'ports' (declared: main)",
            ]),
        // Clients.
        Case("open loop without a rate", .client, """
            name: c
            kind: http
            target: nginx
            workload:
              mode: open
              concurrency: 0
            """, [
                "C:5:3: workload.rate: missing required field (requests per second, required when mode is 'open')",
                "C:6:16: workload.concurrency: must be at least 1, found 0",
            ]),
        Case("negative seed and pipeline past its bound", .client, """
            name: c
            kind: redis
            target: redis
            workload:
              seed: -1
            params:
              pipeline: 2000
            """, [
                "C:5:9: workload.seed: must be at least 0, found -1",
                "C:7:13: params.pipeline: must be between 1 and 1024, found 2000",
            ]),
        Case("client kind, target, params", .client, """
            name: c
            kind: redis
            workload:
              mode: closed
              rate: 5
            params:
              comand: get
              value_size: big
              ratio: "1:10"
            """, [
                "C:1:1: target: missing required field",
                "C:5:3: workload.rate: only used when mode is 'open' (a closed loop sends as fast as 'concurrency' allows)",
                "C:7:3: params.comand: unknown field; did you mean 'command'?",
                "C:8:15: params.value_size: 'big' is not a size; use \(sizes)",
                "C:9:3: params.ratio: only used when command is 'mixed'",
            ]),
        Case("unknown client kind", .client, """
            name: c
            kind: grpc
            target: {service: x}
            """, ["C:2:7: kind: 'grpc' is not one of http, openai, redis, memcached, chroma, exec"]),
        Case("memcached params", .client, """
            name: c
            kind: memcached
            target: memcached
            params:
              command: get
              ratio: "1:2"
              key_prefix: "user key:"
              ttl: 31d
              pipeline: 2048
              value_size: 0
              keyspace: 0
              expiry: 1
            """, [
                "C:6:3: params.ratio: only used when command is 'mixed'",
                "C:7:15: params.key_prefix: 'user key:' has a space or control character, which the memcached text protocol does not allow in a key",
                "C:8:8: params.ttl: must be at most 30 days (2592000 s; memcached reads a longer expiry as a Unix timestamp), found 31d",
                "C:9:13: params.pipeline: must be between 1 and 1024, found 2048",
                "C:10:15: params.value_size: must be at least 1 byte",
                "C:11:13: params.keyspace: must be at least 1, found 0",
                "C:12:3: params.expiry: unknown field (valid fields: command, ratio, keyspace, key_prefix, value_size, pipeline, ttl)",
            ]),
        Case("memcached key length and a fractional expiry", .client, """
            name: c
            kind: memcached
            target: memcached
            params:
              keyspace: 100000
              key_prefix: \(String(repeating: "k", count: 246))
              ttl: 1500ms
            """, [
                "C:6:15: params.key_prefix: '\(String(repeating: "k", count: 246))' makes keys of up to 251 bytes with a key space of 100000; memcached allows 250",
                "C:7:8: params.ttl: must be whole seconds (memcached's expiries are), found 1500ms",
            ]),
        Case("chroma params", .client, """
            name: c
            kind: chroma
            target: chroma
            params:
              phases: [load, serch]
              distance: euclid
              selectivity: 0.105
              n_results: 0
              recall_sample: some
              colection: x
            """, [
                "C:5:11: params.phases: 'serch' is not a phase; give a list of load, query, mixed (e.g. load,query)",
                "C:6:13: params.distance: 'euclid' is not one of l2, cosine, ip",
                "C:7:16: params.selectivity: expected a fraction of the collection from 0.01 to 1 in steps of 0.01 (e.g. 0.1), or 'none'; found 0.105",
                "C:8:14: params.n_results: must be between 1 and 1000, found 0",
                "C:9:18: params.recall_sample: expected an integer or 'all', found 'some'",
                "C:10:3: params.colection: unknown field; did you mean 'collection'?",
            ]),
        Case("chroma file dataset without its path", .client, """
            name: c
            kind: chroma
            target: chroma
            params:
              dataset: file
              phases: load,mixed
            """, ["C:5:3: params.dataset_path: required when dataset is 'file'"]),
        Case("openai params and slo", .client, """
            name: c
            kind: openai
            target: {service: llama, port: main}
            workload: {mode: open, rate: 2, arrival: poisson}
            params:
              dataset: sharegpt
              range_ratio: 1.5
              ignore_eos: maybe
            slo:
              ttft_ms: -1
              e2e_ms: 100
              e2el_ms: 100
            """, [
                "C:6:3: params.dataset_path: missing required field",
                "C:7:16: params.range_ratio: must be between 0 and 1, found 1.5",
                "C:8:15: params.ignore_eos: expected true or false, found 'maybe'",
                "C:10:12: slo.ttft_ms: must be greater than 0, found -1",
                "C:12:3: slo.e2el_ms: give either 'e2e_ms' or 'e2el_ms' (the same objective), not both",
            ]),
        Case("http params", .client, """
            name: c
            kind: http
            target: nginx
            params:
              method: GTE
              path: index.html
              body: x
              body_file: y
              expect_status: 999
            """, [
                "C:5:11: params.method: 'GTE' is not one of GET, HEAD, POST, PUT, DELETE, PATCH, OPTIONS; did you mean 'GET'?",
                "C:6:9: params.path: 'index.html' must start with '/'",
                "C:8:3: params.body_file: give either 'body' or 'body_file', not both",
                "C:9:18: params.expect_status: must be between 100 and 599, found 999",
            ]),
        Case("exec client without command", .client, """
            name: c
            kind: exec
            """, ["C:1:1: params.command: missing required field (the tool an exec client runs, as an argv list)"]),
        // Monitors.
        Case("sampler with prometheus fields", .monitor, """
            name: m
            type: sampler
            interval: 0s
            queries:
              rss: process_resident_memory_bytes
            """, [
                "M:3:11: interval: must be longer than 0s",
                "M:4:1: queries: only used by type 'prometheus' (the sampler reads process CPU and memory itself)",
            ]),
        Case("prometheus monitor", .monitor, """
            name: m
            prometheus:
              scrape_interval: fast
              port: 0
            exporters: [node, nod, node]
            queries:
              cpu: rate(process_cpu_seconds_total[5s]
              rss: ""
            """, [
                "M:3:20: prometheus.scrape_interval: 'fast' is not a duration; use \(durations)",
                "M:4:9: prometheus.port: '0' is not a port; use 'auto' or a number from 1 to 65535",
                "M:5:19: exporters[1]: 'nod' is not one of node, redis, postgres, nginx; did you mean 'node'?",
                "M:5:24: exporters[2]: 'node' is listed twice",
                "M:7:8: queries.cpu: PromQL has an unclosed '('",
                "M:8:8: queries.rss: must not be empty",
            ]),
        // Whole-file problems.
        Case("empty file", .server, "# nothing here\n", [
            "S:1:1: empty recipe; a server recipe is a YAML mapping of fields ('recipe new server NAME' writes a commented template)",
        ]),
        Case("not a mapping", .monitor, "- a\n- b\n", ["M:1:1: expected a mapping of monitor recipe fields, found a list"]),
        Case("YAML syntax error", .server, """
            name: s
            service:
              command: [x, y
            ports: {}
            """, ["S:4:6: YAML syntax error: did not find expected ',' or ']' (while parsing a flow sequence at 3:12)"]),
        Case("tab indentation", .server, "name: s\nservice:\n\tcommand: [x]\n", [
            "S:3:1: YAML syntax error: found character that cannot start any token (while scanning for the next token at 3:1); indent with spaces, YAML does not allow tabs",
        ]),
        Case("two documents", .server, "name: s\nservice: {command: [x]}\n---\nname: t\n", [
            "S:3:1: a recipe file holds one YAML document; remove this '---' and what follows, or split the file",
        ]),
        Case("duplicate field", .server, """
            name: s
            service:
              command: [x]
            name: s
            """, ["S:4:1: duplicate field 'name'; each field may appear only once in a mapping"]),
    ]

    func testBadRecipesReportExactErrors() {
        for testCase in Self.cases {
            let file = "recipes/\(testCase.kind.folderName)/\(testCase.kind.rawValue.prefix(1)).yaml"
            let expected = testCase.errors.map { error -> String in
                let tag = error.prefix(1)
                XCTAssertEqual(String(tag), testCase.kind.rawValue.prefix(1).uppercased(), testCase.title, line: testCase.line)
                return file + error.dropFirst(1)
            }
            do {
                _ = try RecipeLoader.parse(text: testCase.yaml, file: file, kind: testCase.kind)
                XCTFail("\(testCase.title): expected errors, got a valid recipe", line: testCase.line)
            } catch let error as RecipeValidationError {
                XCTAssertEqual(error.diagnostics.map(\.description), expected, testCase.title, line: testCase.line)
                XCTAssertEqual(error.description, expected.joined(separator: "\n"), testCase.title, line: testCase.line)
            } catch {
                XCTFail("\(testCase.title): unexpected error \(error)", line: testCase.line)
            }
        }
    }

    func testDiagnosticDescriptionWithoutField() {
        let diagnostic = RecipeDiagnostic(file: "a.yaml", line: 2, column: 5, field: "", message: "broken")
        XCTAssertEqual(diagnostic.description, "a.yaml:2:5: broken")
        let named = RecipeDiagnostic(file: "recipes/servers/redis.yaml", line: 7, column: 3, field: "ports.main", message: "bad")
        XCTAssertEqual(named.description, "recipes/servers/redis.yaml:7:3: ports.main: bad")
    }

    func testDefaultsAreApplied() throws {
        let recipe = try RecipeLoader.parse(text: """
            service:
              command: [x, "{{port.main}}"]
            ports:
              main: auto
              admin: 9000
            readiness:
              type: http
            """, file: "d.yaml", kind: .server)
        let server = try XCTUnwrap(recipe.server)
        XCTAssertEqual(server.name, "d", "the name defaults to the file name")
        XCTAssertEqual(server.description, "")
        XCTAssertEqual(server.service, ServiceSpec(program: .command(["x", "{{port.main}}"]), workdir: "{{dir}}"))
        XCTAssertEqual(server.ports, [NamedPort(name: "main", value: .auto), NamedPort(name: "admin", value: .fixed(9000))])
        XCTAssertEqual(server.readiness, ReadinessSpec(check: .http(port: "main", path: "/", status: 200, body: nil),
                                                       timeout: BenchDuration(seconds: 30), interval: BenchDuration(seconds: 0.2)))
        XCTAssertEqual(server.resources, ResourceSpec(nodes: 1, cpuCores: 1, memoryGB: 1, gpuCount: 0,
                                                      timeLimit: BenchDuration(seconds: 3600), partition: nil))
        XCTAssertNil(server.metrics)
        XCTAssertNil(server.container)
        XCTAssertEqual(server.settings, [:])
        XCTAssertEqual(server.env, [:])

        let client = try XCTUnwrap(RecipeLoader.parse(text: "kind: redis\ntarget: redis\n", file: "c.yaml", kind: .client).client)
        XCTAssertEqual(client.target, ClientTarget(service: "redis", port: "main"))
        XCTAssertEqual(client.workload, WorkloadSpec(mode: .closed, concurrency: 10, rate: nil, arrival: .constant,
                                                     duration: BenchDuration(seconds: 10), requests: nil,
                                                     warmup: BenchDuration(seconds: 0), seed: 1))
        XCTAssertEqual(client.params, .redis(RedisParams(command: .get, ratio: RedisRatio(sets: 1, gets: 10), keyspace: 10_000,
                                                         valueSize: ByteSize(bytes: 64), pipeline: 1)))
        XCTAssertTrue(client.slo.isEmpty)
        let memcached = try XCTUnwrap(RecipeLoader.parse(text: "kind: memcached\ntarget: memcached\nparams: {ttl: 5m}\n", file: "c.yaml", kind: .client).client)
        XCTAssertEqual(memcached.params, .memcached(MemcachedParams(command: .get, ratio: RedisRatio(sets: 1, gets: 10), keyspace: 10_000,
                                                                    keyPrefix: "key:", valueSize: ByteSize(bytes: 64), pipeline: 1, ttl: 300)))

        let monitor = try XCTUnwrap(RecipeLoader.parse(text: "description: defaults\n", file: "m.yaml", kind: .monitor).monitor)
        XCTAssertEqual(monitor.type, .prometheus)
        XCTAssertEqual(monitor.prometheus, PrometheusSpec(scrapeInterval: BenchDuration(seconds: 1), retention: BenchDuration(seconds: 86_400),
                                                          port: .auto, binary: "prometheus"))
        XCTAssertEqual(monitor.exporters, [.node])
        XCTAssertEqual(monitor.queries, [])
        XCTAssertEqual(monitor.interval, BenchDuration(seconds: 1))
    }

    func testSummaryShowsEffectiveValues() throws {
        let recipe = try RecipeLoader.parse(text: """
            name: s
            service:
              command: [redis-server, --save, ""]
            ports:
              main: auto
            readiness:
              type: tcp
            """, file: "s.yaml", kind: .server)
        let summary = Dictionary(recipe.summary.map { ($0.field, $0.value) }, uniquingKeysWith: { a, _ in a })
        XCTAssertEqual(summary["service.command"], "redis-server --save ''")
        XCTAssertEqual(summary["ports.main"], "auto")
        XCTAssertEqual(summary["readiness.timeout"], "30s")
        XCTAssertEqual(summary["readiness.interval"], "200ms")
        XCTAssertEqual(summary["resources.time_limit"], "1h")
        XCTAssertEqual(summary["metrics"], "(none)")
        XCTAssertEqual(recipe.summary.first?.field, "name")
    }

    func testPlaceholderRendering() throws {
        XCTAssertEqual(RecipePlaceholders.names(in: "a {{host}}:{{ port.main }} {{set.x}}"), ["host", "port.main", "set.x"])
        let rendered = try RecipePlaceholders.render("--bind={{host}}:{{ port.main }}", values: ["host": "127.0.0.1", "port.main": "6379"])
        XCTAssertEqual(rendered, "--bind=127.0.0.1:6379")
        XCTAssertThrowsError(try RecipePlaceholders.render("{{hots}}", values: ["host": "h"])) { error in
            XCTAssertEqual("\(error)", "no value for placeholder '{{hots}}'; did you mean 'host'?")
        }
    }
}
