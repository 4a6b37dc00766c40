#!/usr/bin/env bash
# `npm test`: every test. Type check, lint, unit and integration (SQLite and PostgreSQL), end-to-end in Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system-deps.sh

reports=.tmp/test-reports
rm -rf "$reports" && mkdir -p "$reports"

echo "== typecheck" && npm run --silent typecheck
echo "== lint" && npm run --silent lint
echo "== unit and integration (vitest)"
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json="$reports/vitest.json" || status=$?
echo "== bundle budget (first-load JavaScript of each screen, gzip, from the build's manifest)"
node scripts/build-if-stale.mjs && npx tsx scripts/bundle-budget.ts || status=$?
echo "== end-to-end (playwright, Chromium)"
PLAYWRIGHT_JSON_OUTPUT_FILE="$reports/playwright.json" npx playwright test --reporter=list,json || status=$?
echo "== reproducible build (the commit built in two fresh clones, every file compared)"
npm run --silent check-reproducible || status=$?
node scripts/test-summary.mjs "$reports" || status=$?
exit $status
