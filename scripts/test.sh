#!/usr/bin/env bash
# Installs test dependencies, starts the services tests need, builds and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
# Every service the tests use is installed (and llama-server built once into the cache) here;
# the tests start and stop the services themselves, through bench.
bash scripts/install-test-deps.sh
echo "== building bench and its tests"
swift build --build-tests
echo "== running every test"
swift test --skip-build
