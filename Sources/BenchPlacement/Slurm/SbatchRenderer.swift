import BenchCore
import Foundation

/// Renders the sbatch script of one server instance from its plan and the cluster settings.
///
/// Inside the job the script picks free ports on its node, starts the service (under Apptainer when
/// the recipe names an image and the node has it), its exporter and a node_exporter, writes the
/// discovery file bench waits for and a file_sd target file for Prometheus, and removes the target
/// file when the job ends. Everything machine-specific is decided in the job, not at render time.
public struct SbatchRenderer: Sendable {
    public let settings: SlurmSettings

    public init(settings: SlurmSettings) {
        self.settings = settings
    }

    /// Where one instance's job files live in the session folder (shared with the compute nodes).
    public struct Paths: Sendable, Equatable {
        public var script: String
        public var discovery: String
        public var targets: String

        public init(sessionDirectory: String, handle: Handle) {
            script = sessionDirectory + "/slurm/\(handle).sbatch"
            discovery = sessionDirectory + "/slurm/discovery/\(handle).json"
            targets = sessionDirectory + "/slurm/targets/\(handle).json"
        }
    }

    /// The `#SBATCH` lines for a plan's resources and placement.
    public func header(jobName: String, plan: InstancePlan) -> SbatchHeader {
        let resources = plan.recipe.resources
        let placement = plan.placement
        // The command line first, then the cluster's settings (.env), then the recipe.
        var header = SbatchHeader(jobName: jobName, output: plan.stdoutPath, error: plan.stderrPath,
                                  time: placement.timeLimit.map(SlurmSettings.timeText) ?? settings.timeLimit ?? SlurmSettings.timeText(resources.timeLimit))
        header.nodes = placement.nodes ?? resources.nodes
        header.cpusPerTask = resources.cpuCores
        header.memoryMB = Int((resources.memoryGB * 1024).rounded(.up))
        header.partition = placement.partition ?? settings.partition ?? resources.partition
        header.qos = settings.qos
        header.gpus = resources.gpuCount
        return header
    }

    /// The whole script.
    public func render(_ plan: InstancePlan, jobName: String, paths: Paths) -> String {
        var out = header(jobName: jobName, plan: plan).text
        out += """
        # Rendered by bench for session \(plan.sessionName), handle \(plan.handle): recipe \(plan.recipe.name) (sha256 \(plan.recipeSHA256)).
        # The service runs on the node this job lands on; bench reads the discovery file for its address.
        set -u
        BENCH_HANDLE=\(plan.handle)
        BENCH_DISCOVERY=\(SbatchQuoting.literal(paths.discovery))
        BENCH_TARGETS=\(SbatchQuoting.literal(paths.targets))
        BENCH_LOGS=\(SbatchQuoting.literal(plan.logDirectory))
        BENCH_CHILDREN=""


        """ + Self.nodeFunctions + """

        bench_cleanup() {
          rm -f "$BENCH_TARGETS"
          # Their children too, in the same breath: the exporter loop's exporter would outlive the loop,
          # and a process whose parent is gone escapes proctrack/linuxproc at the job's end.
          local grandchildren="" child
          for child in $BENCH_CHILDREN; do grandchildren="$grandchildren $(pgrep -P "$child" 2>/dev/null)"; done
          [ -z "$BENCH_CHILDREN" ] || kill $BENCH_CHILDREN $grandchildren 2>/dev/null
        }
        trap bench_cleanup EXIT
        trap 'exit 143' TERM INT HUP


        """
        // Ports: fixed ones as the recipe says, the rest picked here.
        out += "# Ports\n"
        for port in plan.recipe.ports {
            let variable = SbatchQuoting.portVariable(port.name)
            if let fixed = plan.endpoint.ports[port.name] {
                out += "\(variable)=\(fixed)\nBENCH_TAKEN=\"${BENCH_TAKEN}\(fixed) \"\n"
            } else {
                out += "bench_pick_port \(variable)\n"
            }
        }
        out += "bench_pick_port BENCH_PORT_NODE_EXPORTER\n\n"

        out += "# Environment and folders\n"
        for (key, value) in plan.environmentOverrides.sorted(by: { $0.key < $1.key }) {
            out += "export \(key)=\(SbatchQuoting.word(value))\n"
        }
        out += "mkdir -p \(SbatchQuoting.literal(plan.dataDirectory)) \"$(dirname \"$BENCH_DISCOVERY\")\" \"$(dirname \"$BENCH_TARGETS\")\"\n"
        out += "cd \(SbatchQuoting.word(plan.workingDirectory)) || exit 71\n\n"

        out += "# The service\n"
        out += serviceLines(plan)
        out += "BENCH_SERVICE=$!\nBENCH_CHILDREN=\"$BENCH_CHILDREN $BENCH_SERVICE\"\n\n"

        if let exporter = plan.exporterArgv {
            out += """
            # The metrics exporter, restarted while the service runs (some give up while their target starts).
            (
            \(plan.exporterEnvironment.sorted { $0.key < $1.key }.map { "  export \($0.key)=\(SbatchQuoting.word($0.value))\n" }.joined())  while kill -0 "$BENCH_SERVICE" 2>/dev/null; do
                \(SbatchQuoting.line(exporter)) >>"$BENCH_LOGS/exporter.stdout.log" 2>>"$BENCH_LOGS/exporter.stderr.log"
                sleep 1
              done
            ) &
            BENCH_CHILDREN="$BENCH_CHILDREN $!"


            """
        }
        out += """
        # A node_exporter for the node's CPU, memory and network, where one is installed.
        BENCH_NODE_EXPORTER="$(command -v prometheus-node-exporter || command -v node_exporter || true)"
        if [ -n "$BENCH_NODE_EXPORTER" ]; then
          "$BENCH_NODE_EXPORTER" --web.listen-address="$BENCH_HOST:$BENCH_PORT_NODE_EXPORTER" >>"$BENCH_LOGS/node_exporter.log" 2>&1 &
          BENCH_CHILDREN="$BENCH_CHILDREN $!"
        else
          BENCH_PORT_NODE_EXPORTER=""
        fi

        # Discovery: written whole, then renamed, so bench never reads half a file.
        {
          printf '{"job_id": "%s", "node": "%s", "host": "%s", "step": "batch", "ports": {' "${SLURM_JOB_ID:-}" "$(hostname)" "$BENCH_HOST"

        """
        let portEntries = plan.recipe.ports.map { "\"\($0.name)\": %s" }
        let portValues = plan.recipe.ports.map { "\"$\(SbatchQuoting.portVariable($0.name))\"" }
        out += "  printf '\(portEntries.joined(separator: ", "))' \(portValues.joined(separator: " "))\n"
        out += """
          [ -z "$BENCH_PORT_NODE_EXPORTER" ] || printf '\(plan.recipe.ports.isEmpty ? "" : ", ")"node_exporter": %s' "$BENCH_PORT_NODE_EXPORTER"
          printf '}}\\n'
        } >"$BENCH_DISCOVERY.tmp" && mv "$BENCH_DISCOVERY.tmp" "$BENCH_DISCOVERY"


        """
        out += targetsLines(plan)
        out += """
        wait "$BENCH_SERVICE"
        BENCH_STATUS=$?
        echo "bench: service exited with status $BENCH_STATUS" >&2
        exit "$BENCH_STATUS"

        """
        return out
    }

    /// Shell that sets `BENCH_HOST` to the node's address and defines `bench_pick_port VAR`: shared by every job bench renders.
    public static let nodeFunctions = """
        # The node's address as the login node reaches it (override with BENCH_NODE_HOST).
        BENCH_HOST="${BENCH_NODE_HOST:-$(getent hosts "$(hostname)" | awk '{print $1; exit}')}"
        [ -n "$BENCH_HOST" ] || BENCH_HOST="$(hostname)"

        # Ports come from below the node's ephemeral range: an outgoing connection may hold any port in
        # that range, a listener cannot bind a port so held, and the probe below sees only listeners.
        BENCH_PORT_TOP=50000
        read -r BENCH_EPHEMERAL_LOW _ 2>/dev/null </proc/sys/net/ipv4/ip_local_port_range || BENCH_EPHEMERAL_LOW=0
        if [ "$BENCH_EPHEMERAL_LOW" -gt 21000 ] && [ "$BENCH_EPHEMERAL_LOW" -lt "$BENCH_PORT_TOP" ]; then
          BENCH_PORT_TOP=$BENCH_EPHEMERAL_LOW
        fi

        # Sets variable $1 to a port nothing listens on here (and not handed out before in this job).
        BENCH_TAKEN=" "
        bench_pick_port() {
          local port tries=0
          while [ "$tries" -lt 500 ]; do
            port=$(( 20000 + RANDOM % (BENCH_PORT_TOP - 20000) ))
            tries=$(( tries + 1 ))
            case "$BENCH_TAKEN" in *" $port "*) continue ;; esac
            if ! (exec 3<>"/dev/tcp/$BENCH_HOST/$port") 2>/dev/null && ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
              BENCH_TAKEN="$BENCH_TAKEN$port "
              printf -v "$1" '%s' "$port"
              return 0
            fi
          done
          echo "bench: no free port found on $(hostname)" >&2
          exit 70
        }
        """

    /// Starting the service in the background, under Apptainer (or Singularity) when the recipe names an image.
    private func serviceLines(_ plan: InstancePlan) -> String {
        let command = SbatchQuoting.line(plan.argv)
        guard let container = plan.container else { return command + " &\n" }
        var wrapper = ["exec"]
        if container.gpu { wrapper.append("--nv") }
        for bind in container.binds { wrapper += ["--bind", bind] }
        wrapper.append(container.image)
        let wrapped = "\"$BENCH_CONTAINER\" " + SbatchQuoting.line(wrapper) + " " + command
        return """
        BENCH_CONTAINER="$(command -v apptainer || command -v singularity || true)"
        if [ -n "$BENCH_CONTAINER" ]; then
          \(wrapped) &
        else
          echo "bench: the recipe names the image \(container.image.replacingOccurrences(of: "\"", with: "'")) but this node has no apptainer or singularity; running the command from its PATH" >&2
          \(command) &
        fi

        """
    }

    /// The file_sd target file: the service's metrics and the node_exporter, labelled like `monitor attach` does.
    private func targetsLines(_ plan: InstancePlan) -> String {
        let labels = "\"handle\": \"\(plan.handle)\", \"recipe\": \"\(plan.recipe.name)\", \"session\": \"\(plan.sessionName)\", \"slurm_job\": \"%s\""
        var lines = "# Registration with Prometheus (file_sd), removed when the job ends.\n{\n  printf '['\n"
        var separator = ""
        if let metrics = plan.recipe.metrics {
            let variable = SbatchQuoting.portVariable(metrics.port)
            lines += "  printf '{\"targets\": [\"%s:%s\"], \"labels\": {\(labels), \"__metrics_path__\": \"\(metrics.path)\"}}' \"$BENCH_HOST\" \"$\(variable)\" \"${SLURM_JOB_ID:-}\"\n"
            separator = ", "
        }
        lines += "  [ -z \"$BENCH_PORT_NODE_EXPORTER\" ] || printf '\(separator){\"targets\": [\"%s:%s\"], \"labels\": {\(labels), \"exporter\": \"node\"}}' \"$BENCH_HOST\" \"$BENCH_PORT_NODE_EXPORTER\" \"${SLURM_JOB_ID:-}\"\n"
        lines += "  printf ']\\n'\n} >\"$BENCH_TARGETS.tmp\" && mv \"$BENCH_TARGETS.tmp\" \"$BENCH_TARGETS\"\n\n"
        return lines
    }
}
