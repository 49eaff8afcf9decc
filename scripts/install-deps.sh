#!/usr/bin/env bash
# Installs what bench needs to build and to run its quickstart (Debian 12 apt packages):
#   build:      libedit-dev, pkg-config
#   quickstart: redis-server, nginx, memcached, tmux, and the Prometheus exporters the redis and
#               nginx recipes start beside each instance
# Starts no daemon: installs run with /usr/sbin/policy-rc.d answering 101, and any packaged
# service that starts anyway is stopped by pid. Safe to rerun; installs only what is missing.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

t0=$(now_s)
log "installing build and quickstart dependencies"

# nginx: in bookworm `nginx` holds the binary and `nginx-light` is nginx + the echo module.
# Any installed flavour will do; otherwise prefer plain `nginx`, then `nginx-light`.
NGINX_PKG=
for p in nginx nginx-light nginx-core nginx-full nginx-extras; do
    if pkg_installed "$p"; then NGINX_PKG=$p; break; fi
done
if [[ -z $NGINX_PKG ]]; then
    if pkg_available nginx; then NGINX_PKG=nginx
    elif pkg_available nginx-light; then NGINX_PKG=nginx-light
    else NGINX_PKG=nginx   # stale lists: apt_install updates and retries
    fi
fi

apt_install libedit-dev pkg-config tmux redis-server "$NGINX_PKG" memcached \
    prometheus-redis-exporter prometheus-nginx-exporter

# Check the results (nginx lives in /usr/sbin).
export PATH="$PATH:/usr/sbin:/sbin"
pkg-config --exists libedit || die "pkg-config cannot find libedit"
ok "libedit $(pkg-config --modversion libedit) (pkg-config)"
check_bin tmux
check_bin redis-server /usr/bin/redis-server
check_bin nginx /usr/sbin/nginx
check_bin memcached /usr/bin/memcached
check_bin prometheus-redis-exporter /usr/bin/prometheus-redis-exporter
check_bin prometheus-nginx-exporter /usr/bin/prometheus-nginx-exporter
log "versions: $(redis-server --version | awk '{print $1, $2, $3}'); $(nginx -v 2>&1); $(memcached -V); $(tmux -V)"

# Nothing may be left running by the install (a service started by bench's tests, with its own
# config, is not ours to judge; this only reports packaged default instances).
strays=
for pid in $(_daemon_pids); do
    if _is_packaged_service "$pid"; then strays+=" $pid($(ps -o comm= -p "$pid"))"; fi
done
if [[ -n $strays ]]; then
    warn "packaged services are running:$strays (not started by this run; stop them if unwanted)"
fi

ok "build and quickstart dependencies ready ($(( $(now_s) - t0 )) s)"
