/**
 * `tsx bench/search.ts` (in `npm run bench`): GET /api/v1/search with 100,000 builds on SQLite, p50/p95 per kind
 * of query, printed with the machine's load average. Half the template's builds publish their artifacts under
 * per-service names (`svc-07-api-linux-amd64`), so a short prefix (`svc`) matches far more than the 20 names a
 * search lists; the other half keep the demo's names (`web` matches two names shared by many builds).
 * BENCH_SEARCH_DIR re-times a kept database (BENCH_KEEP=1 keeps a new one); BENCH_BUILDS changes the size.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { listen } from './listen'
import { demoBuilds } from '../demo/model'
import { SearchResponse } from '../src/contract/search'
import { createApp } from '../server/app'
import { ingestContext } from '../server/config'
import { demoConfig, demoEnvelope } from '../server/demo/seed'
import { ingestBody } from '../server/ingest/ingest'
import { openStore } from '../server/store/store'
import { replicateRows } from './bulk-fill'
import { ms, percentile } from './stats'

const TEMPLATE = 1000
const COPIES = Math.max(1, Math.round(Number(process.env.BENCH_BUILDS ?? 100_000) / TEMPLATE))
const TOTAL = TEMPLATE * COPIES
const SERVICES = 24
const reuse = process.env.BENCH_SEARCH_DIR
const dir = reuse ?? mkdtempSync(join(tmpdir(), 'provenance-bench-search-'))
const load = () => loadavg().map((value) => value.toFixed(1)).join(' ')
const store = await openStore({ dataDir: dir, catchUpLog: reuse === undefined })
const config = demoConfig()
const app = createApp({ store, config, version: 'bench', demo: false })
const { base, server } = await listen(app.fetch)
console.log(`bench search: SQLite in ${dir}, ${TOTAL.toLocaleString('en')} builds, Node ${process.version}, load average ${load()}`)

if (reuse === undefined) {
  const started = performance.now()
  for (let offset = 0; offset < TEMPLATE; offset += 500) {
    const builds = demoBuilds(Math.min(500, TEMPLATE - offset), 1000 + offset).map((build, index) =>
      index % 2 === 0 ? build : { ...build, artifacts: build.artifacts.map((artifact) => ({ ...artifact, name: `svc-${String((offset + index) % SERVICES).padStart(2, '0')}-${artifact.name}` })) },
    )
    const result = await ingestBody(store, Buffer.from(builds.map((build) => JSON.stringify(demoEnvelope(build))).join('\n')), 'application/x-ndjson', ingestContext(config))
    if (!result.ok) throw new Error(result.error.message)
  }
  const ingested = (performance.now() - started) / 1000
  const copied = replicateRows(join(dir, 'provenance.db'), COPIES - 1)
  console.log(`filled in ${(ingested + copied.seconds).toFixed(1)} s: template of ${TEMPLATE} builds ingested in ${ingested.toFixed(1)} s, copied ${copied.copies} times in ${copied.seconds.toFixed(1)} s`)
}

const queries: [string, string][] = [
  ['name prefix "svc" (hundreds of names, 20 listed)', 'svc'],
  ['name prefix "svc-07" (13 names)', 'svc-07'],
  ['name prefix "web" (2 names, ~40,000 builds)', 'web'],
  ['exact name shared by ~13,000 builds', 'web-dist.tar.gz'],
  ['signer prefix "demo-re"', 'demo-re'],
]
for (const [label, q] of queries) {
  const url = `${base}/api/v1/search?q=${encodeURIComponent(q)}`
  let results = 0
  for (let warm = 0; warm < 20; warm++) results = SearchResponse.parse(await (await fetch(url)).json()).results.length
  const samples: number[] = []
  // CPU time per request (server and client share this process) moves less with the machine's load than wall time.
  const cpu = process.cpuUsage()
  for (let run = 0; run < 300; run++) {
    const t0 = performance.now()
    const response = await fetch(url)
    await response.arrayBuffer()
    samples.push(performance.now() - t0)
    if (response.status !== 200) throw new Error(`${label}: ${response.status}`)
  }
  const used = process.cpuUsage(cpu)
  console.log(`GET /api/v1/search ${label}: p50 ${ms(percentile(samples, 50))}, p95 ${ms(percentile(samples, 95))}, CPU ${ms((used.user + used.system) / 1000 / 300)} a request (${results} results, 300 requests, load average ${load()})`)
}
console.log('  (budget: p95 < 50 ms)')

server.close()
await store.close()
if (process.env.BENCH_KEEP === '1' || reuse !== undefined) console.log(`bench search: kept the database in ${dir}`)
else rmSync(dir, { recursive: true, force: true })
