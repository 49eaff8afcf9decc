#!/usr/bin/env bash
# The performance harness: bench and the reference tools (wrk, redis-benchmark, memcslap) side by side
# in one run against the same targets, medians of several rounds, ratios printed.
#   benchmarks/run.sh [--rounds N] [--seconds S] [--only closed,redis,memcached,open,idle,memory]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
apt_install wrk redis-tools libmemcached-tools time
bash scripts/install-deps.sh
# The load engine is built as the measured prototype was: release, exclusivity checks off
# (machines.md: about 1.04x wrk with them off, 0.92-0.97x with them on).
log "building bench (release, -enforce-exclusivity=unchecked) into .build-bench"
swift build -c release --scratch-path .build-bench -Xswiftc -enforce-exclusivity=unchecked >/dev/null
exec python3 benchmarks/compare.py --bench .build-bench/release/bench "$@"
