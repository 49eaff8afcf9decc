#!/usr/bin/env bash
# The LLM client benchmarks: bench's openai client and a vLLM-style asyncio/aiohttp client side by side against
# the same fast streaming server (benchmarks/llm/stream_server.py), alternating rounds, medians and ratios printed:
# CPU seconds per 10,000 streamed tokens, and client-added TTFT at 1,000 concurrent streams.
#   benchmarks/llm/run.sh [--rounds N] [--skip-cost] [--skip-scale] [...]   (compare.py --help for the rest)
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib.sh

# The reference client and the server run in their own venv: aiohttp (the client), uvloop (the server's loop).
VENV="$(bench_cache_dir)/venvs/bench-llm"
if ! "$VENV/bin/python" -c 'import aiohttp, uvloop' 2>/dev/null; then
    log "creating $VENV (aiohttp, uvloop)"
    "$(bench_python)" -m venv "$VENV"
    run_logged bench-llm-venv "$VENV/bin/pip" install aiohttp uvloop || die "pip install aiohttp uvloop failed"
fi

# The load engine is built as benchmarks/run.sh builds it: release, exclusivity checks off. Rebuilt only when
# the binary is missing or older than the sources.
BIN=.build-bench/release/bench
if [[ ! -x $BIN || -n "$(find Sources Package.swift Package.resolved -newer "$BIN" -print -quit 2>/dev/null)" ]]; then
    log "building bench (release, -enforce-exclusivity=unchecked) into .build-bench"
    run_logged bench-llm-build swift build -c release --scratch-path .build-bench -Xswiftc -enforce-exclusivity=unchecked \
        || die "swift build failed"
fi

# compare.py stops the server it starts (its own process group) on exit, error or SIGTERM; this trap covers
# the harness itself being interrupted.
harness=
cleanup() { [[ -n $harness ]] && kill "$harness" 2>/dev/null; wait 2>/dev/null || true; }
trap cleanup EXIT
trap 'exit 130' INT TERM
"$VENV/bin/python" benchmarks/llm/compare.py --bench "$BIN" --python "$VENV/bin/python" "$@" &
harness=$!
rc=0
wait "$harness" || rc=$?
harness=
exit "$rc"
