#!/usr/bin/env bash
# `npm test`: every test. Type check, lint, unit and integration (SQLite and PostgreSQL), end-to-end in Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system-deps.sh

reports=.tmp/test-reports
rm -rf "$reports" && mkdir -p "$reports"

status=0
# A check that is not a test runner (type check, lint, size budget, reproducible build) writes its outcome here, so
# the closing line counts a failed check as a failure instead of leaving it to the exit code alone.
check() {
  local name=$1
  shift
  echo "== $name"
  if "$@"; then printf '%s\tpassed\n' "$name" >>"$reports/checks.tsv"; else printf '%s\tfailed\n' "$name" >>"$reports/checks.tsv"; status=1; fi
}
check "typecheck" npm run --silent typecheck
check "lint" npm run --silent lint
echo "== unit and integration (vitest)"
npx vitest run --reporter=default --reporter=json --outputFile.json="$reports/vitest.json" || status=$?
budget() { node scripts/build-if-stale.mjs && npx tsx scripts/bundle-budget.ts; }
check "bundle budget (first-load JavaScript of each screen, gzip, from the build's manifest)" budget
echo "== end-to-end (playwright, Chromium)"
PLAYWRIGHT_JSON_OUTPUT_FILE="$reports/playwright.json" npx playwright test --reporter=list,json || status=$?
check "reproducible build (the commit built in two fresh clones, every file compared)" npm run --silent check-reproducible
node scripts/test-summary.mjs "$reports" || status=$?
exit $status
