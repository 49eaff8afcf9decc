#!/usr/bin/env bash
# Installs test dependencies, starts the services tests need, builds and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
# Every service the tests use is installed (and llama-server built once into the cache) here;
# the tests start and stop the services themselves, through bench, except SLURM: its single-node
# cluster (munged, slurmctld, slurmd) is started here, once, and left running (a no-op when it
# already runs; scripts/stop-slurm.sh stops it).
bash scripts/install-test-deps.sh
echo "== starting the test SLURM cluster"
# start-slurm.sh prints one line, SLURM_CONF=<path>; exported so that sbatch/squeue/... find the
# config even when /etc/slurm/slurm.conf belongs to someone else.
slurm_env=$(bash scripts/start-slurm.sh)
[[ $slurm_env == SLURM_CONF=* ]] || { echo "start-slurm.sh printed '$slurm_env'" >&2; exit 1; }
export SLURM_CONF="${slurm_env#SLURM_CONF=}"
echo "== building bench and its tests"
swift build --build-tests
echo "== running every test"
swift test --skip-build
