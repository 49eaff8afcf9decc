# shellcheck shell=bash
# Shared helpers for bench's install scripts. Source it, don't run it:
#   . "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
#
# Environment:
#   BENCH_CACHE        cache root (default $HOME/.cache/bench): built binaries, models, venvs, logs
#   BENCH_VERBOSE=1    print full apt/pip/cmake output instead of progress lines
#   BENCH_APT_UPDATED  set to 1 (and exported) once `apt-get update` ran; child scripts skip it

if [[ -n "${_BENCH_LIB_SOURCED:-}" ]]; then return 0; fi
_BENCH_LIB_SOURCED=1

SUDO=${SUDO:-}
# shellcheck disable=SC2034  # used by the scripts that source this file
BENCH_SCRIPTS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# ---------------------------------------------------------------------------------------------
# Logging

_bench_tag() { printf '[%s %s]' "$(date +%H:%M:%S)" "$(basename "${0:-bench}" .sh)"; }
log()  { printf '%s %s\n' "$(_bench_tag)" "$*" >&2; }
ok()   { printf '%s ok: %s\n' "$(_bench_tag)" "$*" >&2; }
warn() { printf '%s WARNING: %s\n' "$(_bench_tag)" "$*" >&2; }
die()  { printf '%s ERROR: %s\n' "$(_bench_tag)" "$*" >&2; exit 1; }

# Seconds since the epoch, for "took N s" messages.
now_s() { date +%s; }

# ---------------------------------------------------------------------------------------------
# Paths

bench_cache_dir() { printf '%s\n' "${BENCH_CACHE:-$HOME/.cache/bench}"; }

bench_log_dir() {
    local d
    d="$(bench_cache_dir)/logs"
    mkdir -p "$d"
    printf '%s\n' "$d"
}

# run_logged NAME CMD...: runs CMD with its output in $(bench_log_dir)/NAME.log (or on the
# terminal with BENCH_VERBOSE=1). On failure prints the log's tail and returns CMD's status.
run_logged() {
    local name=$1; shift
    local logf
    logf="$(bench_log_dir)/$name.log"
    if [[ "${BENCH_VERBOSE:-0}" == 1 ]]; then
        "$@" 2>&1 | tee "$logf"
        return "${PIPESTATUS[0]}"
    fi
    local rc=0
    "$@" >"$logf" 2>&1 || rc=$?
    if (( rc != 0 )); then
        warn "'$*' failed (exit $rc); last lines of $logf:"
        tail -n 40 "$logf" | sed 's/^/    /' >&2
    fi
    return "$rc"
}

require_root() {
    if [[ $(id -u) -ne 0 ]]; then
        if command -v sudo >/dev/null 2>&1; then
            SUDO=sudo
        else
            die "this step needs root (or sudo)"
        fi
    else
        SUDO=
    fi
}

# ---------------------------------------------------------------------------------------------
# apt

APT_GET=(apt-get -o DPkg::Lock::Timeout=600 -o Acquire::Retries=3)

# pkg_installed PKG: true when dpkg has PKG fully installed.
pkg_installed() {
    [[ "$(dpkg-query -W -f='${db:Status-Abbrev}' "$1" 2>/dev/null)" == "ii "* ]]
}

# pkg_available PKG: true when apt knows an installable candidate for PKG.
pkg_available() {
    local cand
    cand="$(apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ && !c {print $2; c=1}')"
    [[ -n "$cand" && "$cand" != "(none)" ]]
}

_apt_lists_present() {
    compgen -G '/var/lib/apt/lists/*_Packages*' >/dev/null
}

apt_update_once() {
    if [[ "${BENCH_APT_UPDATED:-0}" == 1 ]]; then return 0; fi
    log "apt-get update"
    # shellcheck disable=SC2086  # $SUDO is empty or "sudo"
    run_logged apt-update $SUDO "${APT_GET[@]}" update || die "apt-get update failed"
    export BENCH_APT_UPDATED=1
}

# apt_install PKG...: installs the packages that are not installed yet (no recommends), with
# daemons kept from starting. `apt-get update` runs only when something is missing, at most once
# per run (exported to child scripts), before the first install if the lists are missing, or
# after a failed install (stale lists: 404s or unknown candidates), which is then retried.
apt_install() {
    require_root
    local missing=() p
    for p in "$@"; do
        pkg_installed "$p" || missing+=("$p")
    done
    if (( ${#missing[@]} == 0 )); then
        ok "already installed: $*"
        return 0
    fi
    if ! _apt_lists_present; then apt_update_once; fi
    log "apt-get install ${missing[*]}"
    local t0 rc=0
    t0=$(now_s)
    _apt_install_quiet "${missing[@]}" || rc=$?
    if (( rc != 0 )) && [[ "${BENCH_APT_UPDATED:-0}" != 1 ]]; then
        log "install failed; refreshing package lists and retrying"
        apt_update_once
        rc=0
        _apt_install_quiet "${missing[@]}" || rc=$?
    fi
    (( rc == 0 )) || die "apt-get install ${missing[*]} failed (see $(bench_log_dir)/apt-install.log)"
    for p in "${missing[@]}"; do
        pkg_installed "$p" || die "package $p is still not installed after apt-get install"
    done
    ok "installed ${missing[*]} ($(( $(now_s) - t0 )) s)"
}

_apt_install_quiet() {
    # shellcheck disable=SC2086  # $SUDO is empty or "sudo"
    with_no_daemons run_logged apt-install $SUDO env DEBIAN_FRONTEND=noninteractive \
        "${APT_GET[@]}" install -y --no-install-recommends "$@"
}

# ---------------------------------------------------------------------------------------------
# Keeping package installs from starting services

# Daemons that Debian packages we install could start, as `process-name:service-user`.
BENCH_DAEMONS=(redis-server:redis nginx:www-data memcached:memcache
               prometheus:prometheus prometheus-node-exporter:prometheus
               prometheus-redis-exporter:prometheus prometheus-postgres-exporter:prometheus
               prometheus-nginx-exporter:prometheus munged:munge slurmctld:slurm slurmd:root)

_daemon_pids() {
    local entry name
    for entry in "${BENCH_DAEMONS[@]}"; do
        name=${entry%%:*}
        pgrep -x "${name:0:15}" 2>/dev/null || true   # comm is at most 15 characters
        # nginx renames itself "nginx: master process ..."
        if [[ $name == nginx ]]; then
            pgrep -f '^nginx: (master|worker) process' 2>/dev/null || true
        fi
    done | sort -u
    return 0
}

# _is_packaged_service PID: true when PID looks like a Debian service started by an init script
# (runs as the package's service user, or nginx/slurmd with Debian's default config), not a
# bench-started test instance (bench runs them as the invoking user with its own configs).
_is_packaged_service() {
    local pid=$1 user cmd
    user=$(ps -o user= -p "$pid" 2>/dev/null | tr -d ' ') || return 1
    cmd=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
    case "$cmd" in
        "nginx: master process /usr/sbin/nginx"*" -c "*) return 1 ;;
        "nginx: master process /usr/sbin/nginx"*) return 0 ;;
        "/usr/sbin/nginx"*" -c "*) return 1 ;;
        "/usr/sbin/nginx"*) return 0 ;;
    esac
    case "$user" in
        redis|memcache|prometheus|munge|slurm) return 0 ;;
    esac
    return 1
}

# with_no_daemons CMD...: runs CMD with /usr/sbin/policy-rc.d answering 101 (so invoke-rc.d does
# not start services), removes the policy file afterwards if we created it, and stops (by pid)
# any packaged service that appeared while CMD ran.
with_no_daemons() {
    local policy=${BENCH_POLICY_RC_D:-/usr/sbin/policy-rc.d} created=0 before after pid rc=0
    if [[ ! -e $policy ]]; then
        printf '#!/bin/sh\n# temporary, from bench scripts/lib.sh: keep package installs from starting services\nexit 101\n' \
            | $SUDO tee "$policy" >/dev/null
        $SUDO chmod 755 "$policy"
        created=1
    elif ! grep -qE '^[[:space:]]*exit[[:space:]]+101' "$policy"; then
        warn "$policy exists and does not simply exit 101; package installs may start services"
    fi
    before=$(_daemon_pids)
    "$@" || rc=$?
    if (( created )); then $SUDO rm -f "$policy"; fi
    after=$(_daemon_pids)
    for pid in $after; do
        if ! grep -qx "$pid" <<<"$before" && _is_packaged_service "$pid"; then
            warn "package install started $(ps -o comm= -p "$pid") (pid $pid); stopping it"
            $SUDO kill "$pid" 2>/dev/null || true
        fi
    done
    # give them a moment, then insist
    for pid in $after; do
        if ! grep -qx "$pid" <<<"$before" && kill -0 "$pid" 2>/dev/null && _is_packaged_service "$pid"; then
            sleep 1
            kill -0 "$pid" 2>/dev/null && { $SUDO kill -9 "$pid" 2>/dev/null || true; }
        fi
    done
    return "$rc"
}

# ---------------------------------------------------------------------------------------------
# Misc

# need_cmd CMD [HINT]: fails with a message when CMD is not on PATH.
need_cmd() {
    command -v "$1" >/dev/null 2>&1 || die "'$1' not found${2:+ ($2)}"
}

# check_bin NAME [PATH...]: reports where NAME is (PATH or the given candidate paths).
check_bin() {
    local name=$1; shift
    local p
    p=$(command -v "$name" 2>/dev/null || true)
    if [[ -z $p ]]; then
        for p in "$@" ""; do [[ -n $p && -x $p ]] && break; done
    fi
    [[ -n $p ]] || die "binary '$name' not found after install"
    ok "$name -> $p"
}

# bench_python: the python3 used for pip download and venvs (override with BENCH_PYTHON).
bench_python() { printf '%s\n' "${BENCH_PYTHON:-python3}"; }

# pip_download ARGS...: `python3 -m pip download` quietly into a directory given in ARGS.
pip_download() {
    run_logged pip-download "$(bench_python)" -m pip download --disable-pip-version-check \
        --no-input --progress-bar off "$@"
}
