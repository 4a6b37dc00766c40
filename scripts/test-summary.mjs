// Prints one closing line for the whole run, "N passed, N failed", from the runners' JSON reports.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

const dir = process.argv[2] ?? '.tmp/test-reports'
const read = (name) => (existsSync(join(dir, name)) ? JSON.parse(readFileSync(join(dir, name), 'utf8')) : null)
let passed = 0
let failed = 0
let skipped = 0
const vitest = read('vitest.json')
if (vitest) {
  passed += vitest.numPassedTests
  failed += vitest.numFailedTests
  skipped += vitest.numPendingTests + vitest.numTodoTests
} else failed += 1
const playwright = read('playwright.json')
if (playwright) {
  passed += playwright.stats.expected
  failed += playwright.stats.unexpected + playwright.stats.flaky
  skipped += playwright.stats.skipped
} else failed += 1
console.log(`tests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`)
process.exit(failed > 0 ? 1 : 0)
