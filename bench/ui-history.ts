/**
 * `npm run bench:ui`: how long the reproducibility history of a big project takes to render in Chromium once its
 * data has arrived (issue 4: 20,000 builds over two years, under 500 ms). Serves the built SPA with a canned API
 * (bench/static-spa.ts: meta, log checkpoint and the reproducibility endpoints, with 730 daily buckets for a
 * 20,000-rebuild project) and reads two performance marks the page sets: when the history query resolved
 * (`repro-history:data`) and when the chart's SVG had its bars (`repro-history:rendered`).
 *
 * BENCH_UI_RUNS changes the number of measured page loads (default 7, after one warm-up); BENCH_DIST serves another build.
 */
import { chromium } from '@playwright/test'
import { RebuilderMatrix, ReproducibilityHistory, ReproducibilitySummary } from '../src/contract/reproducibility'
import { logCheckpoint, serverMeta } from '../mocks/data/factories'
import { seededRandom } from '../demo/random'
import { benchDist, loadAverage, serveSpa } from './static-spa'
import { ms, percentile } from './stats'

const RUNS = Number(process.env.BENCH_UI_RUNS ?? 7)
const PROJECT = 'bench/monorepo'
const DAYS = 730
const REBUILDS = 20_000
const DAY = 86_400_000
const dist = benchDist()

// ---------- the canned API ----------

const random = seededRandom(4242)
const today = Math.floor(Date.now() / DAY) * DAY
const from = today - (DAYS - 1) * DAY
/** 20,000 rebuilds spread over 730 days with weekday bumps and a few bad stretches, every day present. */
const buckets = Array.from({ length: DAYS }, (_, index) => {
  const weekday = new Date(from + index * DAY).getUTCDay()
  const weight = weekday === 0 || weekday === 6 ? 0.4 : 1.24
  const total = Math.round((REBUILDS / DAYS) * weight * (0.8 + random.next() * 0.4))
  const bad = index % 97 < 4 ? 0.3 : 0.03
  const mismatched = Math.round(total * bad * random.next())
  return { start: new Date(from + index * DAY).toISOString(), matched: total - mismatched, mismatched }
})
// Exactly REBUILDS in all: the rounding remainder goes to the last day.
const last = buckets.at(-1)
if (last) last.matched += REBUILDS - buckets.reduce((sum, bucket) => sum + bucket.matched + bucket.mismatched, 0)
const matched = buckets.reduce((sum, bucket) => sum + bucket.matched, 0)
const mismatched = buckets.reduce((sum, bucket) => sum + bucket.mismatched, 0)
const hex = (length: number) => random.hex(length)

const history = ReproducibilityHistory.parse({
  project: PROJECT,
  bucket: 'day',
  from: new Date(from).toISOString(),
  to: new Date(today + DAY).toISOString(),
  buckets,
  matched,
  mismatched,
  currentStreak: { verdict: 'match', length: 42 },
  lastMismatch: null,
})
const summary = ReproducibilitySummary.parse({
  items: [
    {
      project: PROJECT,
      rebuilds: matched + mismatched,
      matched,
      mismatched,
      currentStreak: { verdict: 'match', length: 42 },
      lastMismatch: null,
      lastRebuildAt: new Date(today).toISOString(),
    },
  ],
})
const rebuilders = ['https://rebuild.example/r1', 'https://rebuild.example/r2', 'https://rebuild.example/r3']
const matrix = RebuilderMatrix.parse({
  project: PROJECT,
  rebuilders,
  artifacts: Array.from({ length: 30 }, (_, index) => ({
    name: `artifact-${index}.tar.gz`,
    digest: `sha256:${hex(64)}`,
    cells: rebuilders.map(() => ({ verdict: 'match', rebuildId: hex(64), time: new Date(today - index * 3_600_000).toISOString(), status: 'verified' })),
    agree: 3,
    total: 3,
  })),
})

const api: Record<string, unknown> = {
  '/api/v1/meta': serverMeta({ demo: false }),
  '/api/v1/log/checkpoint': logCheckpoint(REBUILDS),
  '/api/v1/reproducibility': summary,
  '/api/v1/reproducibility/history': history,
  '/api/v1/reproducibility/matrix': matrix,
}
const bodies = new Map(Object.entries(api).map(([path, body]) => [path, JSON.stringify(body)]))
const { base, close } = await serveSpa(dist, (path) => bodies.get(path))

if (process.env.BENCH_UI_SERVE) {
  // Serve only, for profiling by hand: `BENCH_UI_SERVE=1 npm run bench:ui`, then open the URL printed.
  console.log(`serving ${base}/reproducibility?project=${encodeURIComponent(PROJECT)}&range=730 (Ctrl-C to stop)`)
  await new Promise(() => undefined)
}

// ---------- Chromium ----------

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
})
const context = await browser.newContext({ viewport: { width: 1366, height: 900 } })
const page = await context.newPage()
const pageErrors: string[] = []
page.on('pageerror', (error) => pageErrors.push(error.message))

type Sample = { afterData: number; fromNavigation: number; bars: number; data: number; code: number }

async function measure(): Promise<Sample> {
  await page.goto(`${base}/reproducibility?project=${encodeURIComponent(PROJECT)}&range=730`)
  try {
    await page.waitForFunction(() => performance.getEntriesByName('repro-history:rendered').length > 0, undefined, { timeout: 30_000 })
  } catch (error) {
    const marks = await page.evaluate(() => performance.getEntriesByType('mark').map((mark) => mark.name))
    const text = await page.locator('main').innerText().catch(() => '(no main)')
    throw new Error(`the chart never reported drawn bars (marks: ${marks.join(', ') || 'none'}; errors: ${pageErrors.join('; ') || 'none'}); the page says:\n${text.slice(0, 800)}`, { cause: error })
  }
  return page.evaluate(() => {
    const data = performance.getEntriesByName('repro-history:data')[0]
    const rendered = performance.getEntriesByName('repro-history:rendered')[0]
    if (!data || !rendered) throw new Error('the page set no history marks')
    const code = performance.getEntriesByName('repro-history:chart-code')[0]
    return {
      afterData: rendered.startTime - data.startTime,
      fromNavigation: rendered.startTime,
      data: data.startTime,
      code: code?.startTime ?? Number.NaN,
      bars: document.querySelectorAll('.history-bar').length,
    }
  })
}

console.log(`bench:ui: ${PROJECT}, ${(matched + mismatched).toLocaleString('en')} rebuilds in ${DAYS} daily buckets, Chromium ${browser.version()}, load average ${loadAverage()}`)
await measure() // warm-up: the HTTP cache and V8's code cache fill
const samples: Sample[] = []
for (let run = 0; run < RUNS; run++) samples.push(await measure())
await browser.close()
await close()
if (pageErrors.length > 0) throw new Error(`the page failed: ${pageErrors.join('; ')}`)

const afterData = samples.map((sample) => sample.afterData)
const fromNavigation = samples.map((sample) => sample.fromNavigation)
console.log(`reproducibility history, data arrived → chart drawn (${samples[0]?.bars ?? 0} bar marks): median ${ms(percentile(afterData, 50))}, max ${ms(Math.max(...afterData))} over ${RUNS} loads (budget 500 ms)`)
console.log(
  `reproducibility history, from navigation start: data arrived ${ms(percentile(samples.map((sample) => sample.data), 50))}, chart code loaded ${ms(percentile(samples.map((sample) => sample.code), 50))}, chart drawn ${ms(percentile(fromNavigation, 50))} (medians)`,
)
