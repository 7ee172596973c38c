#!/usr/bin/env bash
# The whole test suite, from a fresh clone: install what is missing, check types and style, run the
# unit tests, build (or reuse) the local control plane, run the end-to-end tests against it.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

# Debian tools the local control plane (certificates) and the tests use.
for tool in openssl; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    step "installing $tool (apt-get)"
    apt-get update -qq && apt-get install -y -qq "$tool"
  fi
done

# A real PostgreSQL server for the backup and restore scripts' tests (test/support/postgres.ts).
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  step "installing postgresql (apt-get)"
  apt-get update -qq && apt-get install -y -qq postgresql
fi
# A real Redis server for the RDB copy and restore scripts' tests (test/support/redis.ts).
if ! command -v redis-server >/dev/null 2>&1; then
  step "installing redis-server (apt-get)"
  apt-get update -qq && apt-get install -y -qq redis-server
fi
# A real ClickHouse server and client for the ClickHouse dump and load scripts (test/support/clickhouse.ts).
if ! command -v clickhouse-server >/dev/null 2>&1 || ! command -v clickhouse-client >/dev/null 2>&1; then
  step "installing clickhouse-server and clickhouse-client (apt-get)"
  apt-get update -qq && apt-get install -y -qq clickhouse-server clickhouse-client
fi

# Debian's Chromium for the console's browser tests (test/e2e/console.test.ts).
if [ ! -x /usr/bin/chromium ]; then
  step "installing chromium (apt-get)"
  apt-get update -qq && apt-get install -y -qq chromium
fi

if [ ! -x node_modules/.bin/node ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  step "installing npm dependencies (npm ci)"
  npm ci --no-audit --no-fund
fi
export PATH="$PWD/node_modules/.bin:$PATH"

# bin/berth runs the bundle; build it from this src so the tests run what users run.
step "bundle (scripts/build.mjs)"
node scripts/build.mjs

step "type check"
tsc -p tsconfig.json

step "lint and format check"
biome check .

step "unit tests"
node --test --test-reporter=spec 'test/unit/**/*.test.ts'

step "console front end (npm run build:console)"
npm run --silent build:console

step "local control plane (build once, cached outside the repo)"
bash cluster/build.sh >/dev/null

step "end-to-end tests against the local control plane"
node --test --test-reporter=spec --test-concurrency=4 --test-timeout=600000 \
  --test-global-setup=test/e2e/global-setup.ts 'test/e2e/**/*.test.ts'

step "reliability suite (crashes, the lock, API faults, secret scan, Pod Security; docs/reliability.md)"
bash scripts/reliability.sh
