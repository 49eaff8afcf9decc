#!/usr/bin/env bash
# The chroma client benchmarks: bench against the official Python client (CPU per query) and against NumPy brute
# force (exact top-10, the ground truth), alternating rounds, medians and ratios printed.
#   benchmarks/vectors/run.sh [--rounds N] [--only client,truth] [...]   (compare.py --help for the rest)
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib.sh

# Chroma's venv has the server, the chromadb client and NumPy: the references run there.
VENV="$(bench_cache_dir)/venvs/chroma"
[[ -x $VENV/bin/python ]] || bash scripts/install-chroma.sh
apt_install time

# Built as benchmarks/run.sh builds it: release, exclusivity checks off; rebuilt only when older than the sources.
BIN=.build-bench/release/bench
if [[ ! -x $BIN || -n "$(find Sources Package.swift Package.resolved -newer "$BIN" -print -quit 2>/dev/null)" ]]; then
    log "building bench (release, -enforce-exclusivity=unchecked) into .build-bench"
    run_logged bench-vectors-build swift build -c release --scratch-path .build-bench -Xswiftc -enforce-exclusivity=unchecked \
        || die "swift build failed"
fi
exec "$VENV/bin/python" benchmarks/vectors/compare.py --bench "$BIN" --python "$VENV/bin/python" "$@"
