#!/usr/bin/env bash
# Installs everything bench's tests need on top of scripts/install-deps.sh (which it runs first):
#   apt:    postgresql-15 (binaries in /usr/lib/postgresql/15/bin), prometheus, exporters for
#           node/redis/postgres/nginx, wrk, redis-tools (redis-benchmark), libmemcached-tools
#           (memcslap, the memcached reference in benchmarks/), slurm-wlm + munge,
#           python3-venv; chromium + fonts-liberation for report screenshots (optional: warns)
#   built:  llama-server (build-llama.sh), the SmolLM2 model (fetch-model.sh), Chroma in a venv
#           (install-chroma.sh), all under $(bench_cache_dir)
# Starts no daemon (Prometheus/PostgreSQL are started by the tests themselves; the SLURM cluster
# by scripts/start-slurm.sh, which scripts/test.sh runs).
# Safe to rerun: every step skips what is already there.
#
# Environment: BENCH_SKIP_CHROMIUM=1 skips chromium; BENCH_SKIP_LLAMA=1 skips build + model;
#              BENCH_SKIP_CHROMA=1 skips Chroma.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
export PATH="$PATH:/usr/sbin:/sbin"

t0=$(now_s)
"$BENCH_SCRIPTS_DIR/install-deps.sh"

log "installing test dependencies"
PG_BIN=/usr/lib/postgresql/15/bin
APT_PKGS=(
    postgresql-15 postgresql-client-15
    prometheus prometheus-node-exporter prometheus-redis-exporter
    prometheus-postgres-exporter prometheus-nginx-exporter
    wrk redis-tools libmemcached-tools
    slurm-wlm munge
    python3-venv
    curl unzip ca-certificates
)
apt_install "${APT_PKGS[@]}"

for b in initdb pg_ctl postgres pgbench psql; do
    [[ -x $PG_BIN/$b ]] || die "$PG_BIN/$b missing"
done
ok "postgresql: $("$PG_BIN/postgres" --version) in $PG_BIN"
for b in prometheus promtool prometheus-node-exporter prometheus-redis-exporter \
         prometheus-postgres-exporter prometheus-nginx-exporter \
         wrk redis-benchmark redis-cli memcslap slurmctld slurmd sbatch squeue scontrol scancel srun sinfo \
         munged munge; do
    check_bin "$b" "/usr/bin/$b" "/usr/sbin/$b"
done
log "versions: $(prometheus --version 2>&1 | head -n1); slurm $(dpkg-query -W -f='${Version}' slurm-wlm); munge $(dpkg-query -W -f='${Version}' munge); $(redis-benchmark --version 2>/dev/null | head -n1 || echo redis-benchmark)"

# Chromium, for report screenshots: optional.
if [[ "${BENCH_SKIP_CHROMIUM:-0}" == 1 ]]; then
    log "skipping chromium (BENCH_SKIP_CHROMIUM=1)"
elif ( apt_install chromium fonts-liberation ); then
    CHROMIUM=$(command -v chromium || true)
    if [[ -n $CHROMIUM ]]; then
        shot=$(mktemp -d)
        printf '<html><body><h1>bench</h1></body></html>' >"$shot/t.html"
        if timeout 90 "$CHROMIUM" --headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage \
               --screenshot="$shot/t.png" --window-size=400,300 "file://$shot/t.html" \
               >"$(bench_log_dir)/chromium-check.log" 2>&1 && [[ -s $shot/t.png ]]; then
            ok "chromium: $("$CHROMIUM" --version 2>/dev/null) (headless screenshot works)"
        else
            warn "chromium is installed but a headless screenshot failed (see $(bench_log_dir)/chromium-check.log); report screenshots will be unavailable"
        fi
        rm -rf "$shot"
    else
        warn "chromium package installed but no 'chromium' binary on PATH"
    fi
else
    warn "chromium could not be installed; report screenshots will be unavailable"
fi

if [[ "${BENCH_SKIP_LLAMA:-0}" == 1 ]]; then
    log "skipping llama-server and model (BENCH_SKIP_LLAMA=1)"
else
    "$BENCH_SCRIPTS_DIR/build-llama.sh"
    "$BENCH_SCRIPTS_DIR/fetch-model.sh"
fi
if [[ "${BENCH_SKIP_CHROMA:-0}" == 1 ]]; then
    log "skipping Chroma (BENCH_SKIP_CHROMA=1)"
else
    "$BENCH_SCRIPTS_DIR/install-chroma.sh"
fi

ok "test dependencies ready ($(( $(now_s) - t0 )) s)"
