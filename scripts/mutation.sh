#!/usr/bin/env bash
# Mutation testing with StrykerJS (slow, so not part of npm test): one run per group of
# stryker.config.mjs, each mutating its modules and running only the unit tests that guard them.
# MUTATION_GROUPS picks groups (default: all); further arguments go to stryker (`--mutate file:lines`).
# Reports land in reports/mutation/<group>.json.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"
for group in ${MUTATION_GROUPS:-release policies redaction}; do
  printf '\n== mutation testing: %s\n' "$group"
  MUTATION_GROUP=$group stryker run stryker.config.mjs "$@"
done
