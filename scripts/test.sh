#!/usr/bin/env bash
# Installs test dependencies, starts the services tests need, builds and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
echo "== building bench and its tests"
swift build --build-tests
echo "== running every test"
swift test --skip-build
