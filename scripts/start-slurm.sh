#!/usr/bin/env bash
# Starts a real single-node SLURM cluster for bench's tests: munged, slurmctld and slurmd, all with
# their state under one folder, on their own ports, as root (SlurmUser=root, no cgroups).
#
# Idempotent: when the cluster this script started earlier still answers `sinfo`, it does nothing
# but print the env line. A half-running cluster (a daemon died) is stopped and started afresh;
# slurmctld starts with -c, so no job state survives a restart.
#
# Output: progress on stderr; on stdout exactly one line, `SLURM_CONF=<path>`, the slurm.conf the
# client commands (sbatch, squeue, scontrol, scancel, srun, sinfo) must use. The config is also
# written to /etc/slurm/slurm.conf when that file does not exist or carries our marker comment,
# so the commands find it without SLURM_CONF; otherwise export the printed line:
#   export "$(scripts/start-slurm.sh)"
#
# Layout under $BENCH_SLURM_DIR (default $(bench_cache_dir)/slurm):
#   slurm.conf  conf-in-use (path printed above)
#   munge/      munge.key (600), munge.socket.2, munged.pid, munged.log, munged.seed (folder 755)
#   state/      slurmctld StateSaveLocation        spool/  slurmd SlurmdSpoolDir
#   log/        slurmctld.log slurmd.log jobcomp.txt, *.out (daemon stdout/stderr)
#   run/        slurmctld.pid slurmd.pid
# Stop with scripts/stop-slurm.sh.
#
# Environment: BENCH_SLURM_DIR; BENCH_SLURM_CTLD_PORT (16817), BENCH_SLURM_D_PORT (16818);
#              BENCH_SLURM_WAIT seconds to wait for the node to turn idle (30);
#              BENCH_SLURM_ETC_CONF the system-wide path clients read (/etc/slurm/slurm.conf).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
export PATH="$PATH:/usr/sbin:/sbin"

SLURM_DIR=${BENCH_SLURM_DIR:-$(bench_cache_dir)/slurm}
CTLD_PORT=${BENCH_SLURM_CTLD_PORT:-16817}
SLURMD_PORT=${BENCH_SLURM_D_PORT:-16818}
WAIT_S=${BENCH_SLURM_WAIT:-30}
MARKER='# managed by bench scripts/start-slurm.sh'
ETC_CONF=${BENCH_SLURM_ETC_CONF:-/etc/slurm/slurm.conf}

CONF=$SLURM_DIR/slurm.conf
MUNGE_DIR=$SLURM_DIR/munge
MUNGE_KEY=$MUNGE_DIR/munge.key
MUNGE_SOCKET=$MUNGE_DIR/munge.socket.2
MUNGE_PID=$MUNGE_DIR/munged.pid
CTLD_PID=$SLURM_DIR/run/slurmctld.pid
SLURMD_PID=$SLURM_DIR/run/slurmd.pid
LOG_DIR=$SLURM_DIR/log

[[ $(id -u) -eq 0 ]] || die "start-slurm.sh runs the daemons as root (SlurmUser=root); run it as root"
for c in munged slurmctld slurmd sinfo sbatch squeue scontrol scancel srun; do
    need_cmd "$c" "install slurm-wlm and munge: scripts/install-test-deps.sh"
done

# pid_alive FILE: true when FILE holds the pid of a running process.
pid_alive() {
    local pid
    [[ -s $1 ]] || return 1
    pid=$(tr -dc '0-9' <"$1")
    [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null
}

# node_ready CONF: true when sinfo (with CONF) shows the node usable (idle, mixed or allocated).
node_ready() {
    local states
    states=$(SLURM_CONF=$1 timeout 5 sinfo -h -o %T 2>/dev/null) || return 1
    grep -qE '^(idle|mixed|allocated|completing)' <<<"$states"
}

# conf_in_use: the config path the client commands should use (see the header).
conf_in_use() {
    if [[ -f $ETC_CONF ]] && cmp -s "$ETC_CONF" "$CONF"; then
        printf '%s\n' "$ETC_CONF"
    else
        printf '%s\n' "$CONF"
    fi
}

print_env() {
    local used
    used=$(conf_in_use)
    if [[ $used != "$ETC_CONF" ]]; then
        log "the client commands need SLURM_CONF=$used in their environment (export the line below)"
    fi
    printf 'SLURM_CONF=%s\n' "$used"
}

# --- already running? -------------------------------------------------------------------------
if [[ -f $CONF ]] && pid_alive "$MUNGE_PID" && pid_alive "$CTLD_PID" && pid_alive "$SLURMD_PID" \
        && node_ready "$CONF"; then
    ok "SLURM cluster already running ($SLURM_DIR)"
    print_env
    exit 0
fi
if pid_alive "$MUNGE_PID" || pid_alive "$CTLD_PID" || pid_alive "$SLURMD_PID"; then
    log "a previous cluster is partly running; stopping it first"
    "$BENCH_SCRIPTS_DIR/stop-slurm.sh"
fi

t0=$(now_s)
log "starting SLURM in $SLURM_DIR (ports $CTLD_PORT/$SLURMD_PORT)"
mkdir -p "$SLURM_DIR" "$MUNGE_DIR" "$SLURM_DIR/state" "$SLURM_DIR/spool" "$LOG_DIR" "$SLURM_DIR/run"
chmod 755 "$SLURM_DIR" "$MUNGE_DIR"
chmod 700 "$SLURM_DIR/state" "$SLURM_DIR/spool"
rm -f "$MUNGE_SOCKET" "$MUNGE_SOCKET.lock" "$MUNGE_PID" "$CTLD_PID" "$SLURMD_PID"

# --- munge ------------------------------------------------------------------------------------
if [[ ! -s $MUNGE_KEY ]]; then
    if command -v mungekey >/dev/null 2>&1; then
        mungekey --create --keyfile="$MUNGE_KEY" --force >/dev/null
    else
        dd if=/dev/urandom of="$MUNGE_KEY" bs=1 count=1024 status=none
    fi
fi
chown "$(id -u):$(id -g)" "$MUNGE_KEY"
chmod 600 "$MUNGE_KEY"
# munged forks once its socket is ready.
run_logged slurm-munged munged --force --socket="$MUNGE_SOCKET" --key-file="$MUNGE_KEY" \
    --pid-file="$MUNGE_PID" --log-file="$MUNGE_DIR/munged.log" --seed-file="$MUNGE_DIR/munged.seed" \
    || die "munged did not start (see $MUNGE_DIR/munged.log)"
munge --socket="$MUNGE_SOCKET" -n | unmunge --socket="$MUNGE_SOCKET" >/dev/null \
    || die "munge credentials do not round-trip through $MUNGE_SOCKET"

# --- slurm.conf -------------------------------------------------------------------------------
NODE_LINE=$(slurmd -C | grep '^NodeName=') || die "'slurmd -C' printed no NodeName line"
NODE_NAME=$(sed -E 's/^NodeName=([^ ]+).*/\1/' <<<"$NODE_LINE")
tmp_conf=$(mktemp "$SLURM_DIR/slurm.conf.XXXXXX")
cat >"$tmp_conf" <<EOF
$MARKER
# Single-node test cluster; state in $SLURM_DIR. Stop with scripts/stop-slurm.sh.
ClusterName=bench
SlurmctldHost=$NODE_NAME(127.0.0.1)
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$MUNGE_SOCKET
StateSaveLocation=$SLURM_DIR/state
SlurmdSpoolDir=$SLURM_DIR/spool
SlurmctldPidFile=$CTLD_PID
SlurmdPidFile=$SLURMD_PID
SlurmctldLogFile=$LOG_DIR/slurmctld.log
SlurmdLogFile=$LOG_DIR/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$LOG_DIR/jobcomp.txt
MpiDefault=none
MailProg=/bin/true
ReturnToService=2
SchedulerParameters=batch_sched_delay=0
MinJobAge=3600
KillWait=5
$NODE_LINE NodeAddr=127.0.0.1 State=UNKNOWN
# OverSubscribe: a server job, a Prometheus job and a client job must run side by side on a
# 2-core CI machine, as they would on separate nodes of a real cluster.
PartitionName=debug Nodes=$NODE_NAME Default=YES MaxTime=INFINITE State=UP OverSubscribe=FORCE:8
PartitionName=short Nodes=$NODE_NAME Default=NO MaxTime=INFINITE State=UP OverSubscribe=FORCE:8
EOF
chmod 644 "$tmp_conf"
mv -f "$tmp_conf" "$CONF"

if [[ ! -e $ETC_CONF ]] || grep -qxF "$MARKER" "$ETC_CONF"; then
    mkdir -p "$(dirname "$ETC_CONF")"
    cp -f "$CONF" "$ETC_CONF.bench-tmp" && mv -f "$ETC_CONF.bench-tmp" "$ETC_CONF"
    ok "wrote $ETC_CONF (a copy of $CONF)"
else
    warn "$ETC_CONF exists and is not ours; leaving it alone (clients need SLURM_CONF=$CONF)"
fi

# --- slurmctld + slurmd -----------------------------------------------------------------------
# -c: start from a clean state (no jobs from an earlier run). -D: foreground, so nohup/setsid
# keep them as children of nobody; they write their own pid files. They run from the cluster's
# own folder: a daemon keeps the folder it started in, and started in a checkout that was later
# deleted, slurmd logged "Unable to get current working directory" three times for every job.
(cd "$SLURM_DIR" && exec nohup setsid slurmctld -D -c -f "$CONF" >"$LOG_DIR/slurmctld.out" 2>&1 </dev/null) &
ctld_pid=$!
(cd "$SLURM_DIR" && exec nohup setsid slurmd -D -f "$CONF" >"$LOG_DIR/slurmd.out" 2>&1 </dev/null) &
slurmd_pid=$!

show_tails() {
    local f
    for f in "$MUNGE_DIR/munged.log" "$LOG_DIR/slurmctld.log" "$LOG_DIR/slurmctld.out" \
             "$LOG_DIR/slurmd.log" "$LOG_DIR/slurmd.out"; do
        [[ -s $f ]] || continue
        warn "last lines of $f:"
        tail -n 20 "$f" | sed 's/^/    /' >&2
    done
}

deadline=$(( $(now_s) + WAIT_S ))
until node_ready "$CONF"; do
    for p in "slurmctld:$ctld_pid" "slurmd:$slurmd_pid"; do
        if ! kill -0 "${p#*:}" 2>/dev/null; then
            show_tails
            die "${p%%:*} exited during startup"
        fi
    done
    if (( $(now_s) >= deadline )); then
        warn "sinfo: $(SLURM_CONF=$CONF timeout 5 sinfo -h -o '%P %T %E' 2>&1 | tr '\n' ';')"
        show_tails
        die "the SLURM node did not turn idle within ${WAIT_S} s"
    fi
    sleep 0.3
done
ok "SLURM cluster up: node $NODE_NAME, partitions debug (default) and short ($(( $(now_s) - t0 )) s)"
print_env
