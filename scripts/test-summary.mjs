// Prints the run's closing line, "tests: N passed, N failed", from vitest's and Playwright's JSON reports and the
// outcome of each other check scripts/test.sh ran (type check, lint, budget, reproducible build; one count each).
// Above it, what the counts alone would hide: suites that failed without a failing test (a file that did not load,
// a failing hook, a spec Playwright could not load), each counted as one failure; suites and tests that were
// skipped, with the reason their titles give (see server/testing/corpus.ts); reports that could not be read, each
// counted as one failure, since a runner that wrote no report did not pass. Exits 1 when anything failed.
import { existsSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'

const dir = process.argv[2] ?? '.tmp/test-reports'

/** The parsed report, or why there is none. */
function read(name) {
  const path = join(dir, name)
  if (!existsSync(path)) return { problem: `${path} is missing (did the runner start?)` }
  try {
    return { report: JSON.parse(readFileSync(path, 'utf8')) }
  } catch (error) {
    return { problem: `${path} is not JSON: ${error instanceof Error ? error.message : String(error)}` }
  }
}

const isCount = (value) => Number.isInteger(value) && value >= 0
const firstLine = (text) => String(text ?? '').trim().split('\n')[0] || '(no message)'
const shown = (file) => relative(process.cwd(), String(file ?? '')) || '(unknown file)'
/** The suite or test title that says why it was skipped, e.g. "… (skipped: ../shared/corpus is not beside the checkout)". */
const reasoned = (titles) => titles.find((title) => title.includes('(skipped: '))

let passed = 0
let failed = 0
let skipped = 0
const unreadable = []
const brokenSuites = []
const skippedSuites = new Set()

const vitest = read('vitest.json')
const v = vitest.report
if (v && isCount(v.numPassedTests) && isCount(v.numFailedTests) && Array.isArray(v.testResults)) {
  passed += v.numPassedTests
  failed += v.numFailedTests
  skipped += (v.numPendingTests ?? 0) + (v.numTodoTests ?? 0)
  let counted = 0
  for (const file of v.testResults) {
    const tests = Array.isArray(file.assertionResults) ? file.assertionResults : []
    // A failed file with no failed test failed outside any test: on load, or in a hook.
    if (file.status === 'failed' && !tests.some((test) => test.status === 'failed')) {
      brokenSuites.push(`vitest ${shown(file.name)}: ${firstLine(file.message)}`)
      counted += 1
    }
    for (const test of tests) {
      if (!['skipped', 'pending', 'todo'].includes(test.status)) continue
      const titles = [...(test.ancestorTitles ?? []), test.title]
      skippedSuites.add(`vitest ${shown(file.name)} › ${reasoned(titles) ?? `${titles.join(' › ')} (no reason given)`}`)
    }
  }
  // numFailedTestSuites also counts the describe blocks of failed tests; it only adds when no file above explains it.
  if (counted === 0 && v.numFailedTests === 0 && (v.numFailedTestSuites ?? 0) > 0) {
    brokenSuites.push(`vitest: ${v.numFailedTestSuites} suite(s) failed outside any test`)
    counted = 1
  }
  failed += counted
} else {
  unreadable.push(`vitest: ${vitest.problem ?? 'the report has no test counts'}`)
  failed += 1
}

const playwright = read('playwright.json')
const p = playwright.report
if (p && p.stats && isCount(p.stats.expected) && isCount(p.stats.unexpected)) {
  passed += p.stats.expected
  failed += p.stats.unexpected + (p.stats.flaky ?? 0)
  skipped += p.stats.skipped ?? 0
  // Top-level errors: a spec that did not load, a failing global setup or worker fixture outside any test.
  for (const error of Array.isArray(p.errors) ? p.errors : []) {
    const where = error.location ? `${shown(error.location.file)}:${error.location.line}: ` : ''
    brokenSuites.push(`playwright ${where}${firstLine(error.message)}`)
    failed += 1
  }
  // Spec files are named relative to the test folder; errors carry absolute paths.
  const specFile = (file) => shown(typeof p.config?.rootDir === 'string' ? join(p.config.rootDir, String(file ?? '')) : file)
  const walk = (suite, titles) => {
    const path = suite.title && suite.title !== suite.file ? [...titles, suite.title] : titles
    for (const spec of suite.specs ?? []) {
      for (const test of spec.tests ?? []) {
        if (test.status !== 'skipped') continue
        const why = (test.annotations ?? []).find((annotation) => annotation.type === 'skip' || annotation.type === 'fixme')?.description
        const named = [...path, spec.title]
        skippedSuites.add(`playwright ${specFile(spec.file ?? suite.file)} › ${reasoned(named) ?? `${named.join(' › ')} (${why ? `skipped: ${why}` : 'no reason given'})`}`)
      }
    }
    for (const child of suite.suites ?? []) walk(child, path)
  }
  for (const suite of Array.isArray(p.suites) ? p.suites : []) walk(suite, [])
} else {
  unreadable.push(`playwright: ${playwright.problem ?? 'the report has no stats'}`)
  failed += 1
}

// The checks that are not test runners (scripts/test.sh): each failed one counts as one failure.
const failedChecks = []
const checksPath = join(dir, 'checks.tsv')
if (existsSync(checksPath)) {
  for (const line of readFileSync(checksPath, 'utf8').split('\n')) {
    const [name, outcome] = line.split('\t')
    if (!name) continue
    if (outcome === 'passed') passed += 1
    else {
      failedChecks.push(name)
      failed += 1
    }
  }
}

if (skippedSuites.size > 0) {
  console.log('skipped, not run:')
  for (const line of skippedSuites) console.log(`  ${line}`)
}
if (brokenSuites.length > 0) {
  console.log('failed outside any test (each counted as one failure):')
  for (const line of brokenSuites) console.log(`  ${line}`)
}
if (unreadable.length > 0) {
  console.log('could not read a report (each counted as one failure):')
  for (const line of unreadable) console.log(`  ${line}`)
}
if (failedChecks.length > 0) {
  console.log('checks that failed (each counted as one failure):')
  for (const name of failedChecks) console.log(`  ${name}`)
}
console.log(`tests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`)
process.exit(failed > 0 ? 1 : 0)
