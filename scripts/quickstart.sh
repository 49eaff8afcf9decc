#!/usr/bin/env bash
# Installs what is missing, builds bench and replays the quickstart session on the local orchestrator.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
echo "== building bench (a cold build takes a few minutes on 2 cores)"
swift build -c release
test -x .build/release/bench || { echo "build failed" >&2; exit 1; }
echo "== replaying examples/quickstart.bench"
exec .build/release/bench --replay examples/quickstart.bench "$@"
