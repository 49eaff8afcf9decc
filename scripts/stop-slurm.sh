#!/usr/bin/env bash
# Stops the single-node SLURM cluster that scripts/start-slurm.sh started: cancels the jobs still
# queued or running (the next start clears slurmctld's state anyway, and their processes would
# otherwise outlive slurmd), then stops slurmd, slurmctld and munged by their pid files: SIGTERM,
# up to 15 s to exit, then SIGKILL. Leaves the folder (config, key, logs) in place.
# Safe to run when nothing is running.
#
# Environment: BENCH_SLURM_DIR (default $(bench_cache_dir)/slurm), as for start-slurm.sh.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
export PATH="$PATH:/usr/sbin:/sbin"

SLURM_DIR=${BENCH_SLURM_DIR:-$(bench_cache_dir)/slurm}
CONF=$SLURM_DIR/slurm.conf

# read_pid FILE: the pid in FILE when that process is running, else nothing.
read_pid() {
    local pid
    [[ -s $1 ]] || return 0
    pid=$(tr -dc '0-9' <"$1")
    if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then printf '%s\n' "$pid"; fi
}

# stop_pid NAME PIDFILE [EXPECTED_COMM]: SIGTERM, wait up to 15 s, then SIGKILL.
stop_pid() {
    local name=$1 file=$2 pid comm i
    pid=$(read_pid "$file")
    if [[ -z $pid ]]; then
        rm -f "$file"
        return 0
    fi
    comm=$(ps -o comm= -p "$pid" 2>/dev/null || true)
    if [[ $comm != "$name" ]]; then
        warn "$file names pid $pid, which is '$comm', not $name; leaving it alone"
        rm -f "$file"
        return 0
    fi
    kill -TERM "$pid" 2>/dev/null || true
    for (( i = 0; i < 150; i++ )); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        warn "$name (pid $pid) did not exit within 15 s; killing it"
        kill -KILL "$pid" 2>/dev/null || true
        sleep 0.2
    fi
    rm -f "$file"
    ok "stopped $name (pid $pid)"
}

# Jobs can only be cancelled cleanly while both slurmctld and slurmd run; without slurmd, the
# next start's slurmctld (clean state) has slurmd kill whatever job steps are left.
if [[ -f $CONF && -n $(read_pid "$SLURM_DIR/run/slurmctld.pid") && -n $(read_pid "$SLURM_DIR/run/slurmd.pid") ]]; then
    jobs=$(SLURM_CONF=$CONF timeout 5 squeue -h -t PD,R,CG,S,CF -o %i 2>/dev/null || true)
    if [[ -n $jobs ]]; then
        log "cancelling jobs still in the queue: $(tr '\n' ' ' <<<"$jobs")"
        # shellcheck disable=SC2086  # one id a word
        SLURM_CONF=$CONF timeout 10 scancel $jobs 2>/dev/null || true
        deadline=$(( $(now_s) + 10 ))   # KillWait=5: SIGTERM, then SIGKILL 5 s later
        while [[ -n $(SLURM_CONF=$CONF timeout 5 squeue -h -t R,CG -o %i 2>/dev/null || true) ]] \
                && (( $(now_s) < deadline )); do
            sleep 0.2
        done
    fi
fi

stop_pid slurmd "$SLURM_DIR/run/slurmd.pid"
stop_pid slurmctld "$SLURM_DIR/run/slurmctld.pid"
stop_pid munged "$SLURM_DIR/munge/munged.pid"
ok "SLURM cluster in $SLURM_DIR stopped"
