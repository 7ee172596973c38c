#!/usr/bin/env bash
# The reliability suite (docs/reliability.md): crash recovery, the lock, an API server restart, API
# faults through a proxy, the secret scan and Pod Security, against one local control plane.
# BERTH_RELIABILITY_SEED replays a run; BERTH_RELIABILITY_POINTS sets the number of kill points (50).
# Figures land in reports/reliability/*.json and are summed up at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"
export BERTH_RELIABILITY_RESULTS="${BERTH_RELIABILITY_RESULTS:-$PWD/reports/reliability}"
rm -rf "$BERTH_RELIABILITY_RESULTS"
bash cluster/build.sh >/dev/null
status=0
node --test --test-reporter=spec --test-concurrency=2 --test-timeout=3600000 \
  --test-global-setup=test/e2e/global-setup.ts 'test/reliability/*.test.ts' || status=$?
node test/reliability/summary.ts "$BERTH_RELIABILITY_RESULTS"
exit "$status"
