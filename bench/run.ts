/**
 * `npm run bench`: figures, not pass/fail. Ingest throughput with verification, and the latency of the
 * endpoints behind the Builds, Artifact, Signatures, Reproducibility and Search screens with 100,000 builds and 20,000 rebuild verdicts stored on
 * SQLite. BENCH_BUILDS and BENCH_REBUILDS change the sizes; BENCH_KEEP=1 keeps the database for EXPLAIN.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { listen } from './listen'
import { BuildPage } from '../src/contract/builds'
import { demoBuilds } from '../demo/model'
import { demoRebuilds } from '../demo/rebuilds'
import { RebuildPage } from '../src/contract/rebuilds'
import { createApp } from '../server/app'
import { ingestContext } from '../server/config'
import { demoRebuildEnvelope } from '../server/demo/rebuilds'
import { DEMO_INGEST_TOKEN, demoConfig, demoEnvelope } from '../server/demo/seed'
import { ingestBody } from '../server/ingest/ingest'
import { openStore } from '../server/store/store'
import { ms, percentile } from './stats'

const TOTAL = Number(process.env.BENCH_BUILDS ?? 100_000)
const REBUILDS = Number(process.env.BENCH_REBUILDS ?? 20_000)
// BENCH_DATA_DIR reuses a database a run with BENCH_KEEP=1 filled, and measures the reads only.
const reuse = process.env.BENCH_DATA_DIR
const dir = reuse ?? mkdtempSync(join(tmpdir(), 'provenance-bench-'))
const config = demoConfig()
const store = await openStore({ dataDir: dir })
const app = createApp({ store, config, version: 'bench', demo: false })
const { base, server } = await listen(app.fetch)
console.log(`bench: SQLite in ${dir}, ${TOTAL.toLocaleString('en')} builds, Node ${process.version}`)

// 1. Ingest through HTTP, one document per request (what a CI job does), 4 clients at once.
if (reuse === undefined) {
  const envelopes = demoBuilds(2000, 1).map((build) => JSON.stringify(demoEnvelope(build)))
  const started = performance.now()
  let next = 0
  const client = async () => {
    while (next < envelopes.length) {
      const body = envelopes[next++]!
      const response = await fetch(`${base}/api/v1/attestations`, {
        method: 'POST',
        headers: { authorization: `Bearer ${DEMO_INGEST_TOKEN}`, 'content-type': 'application/json' },
        body,
      })
      if (response.status !== 201) throw new Error(`ingest answered ${response.status}`)
    }
  }
  await Promise.all([client(), client(), client(), client()])
  const seconds = (performance.now() - started) / 1000
  console.log(`ingest, HTTP, one DSSE document per request, 4 clients: ${(envelopes.length / seconds).toFixed(0)} documents/s (${envelopes.length} documents, verification included)`)
}

// 2. Ingest JSONL batches of 500 through the same code path, which is also how the store is filled.
if (reuse === undefined) {
  const started = performance.now()
  let stored = await store.documents.count()
  let batchDocs = 0
  let batchMs = 0
  for (let offset = 0; stored < TOTAL; offset += 500) {
    const count = Math.min(500, TOTAL - stored)
    const builds = demoBuilds(count, 1000 + offset)
    const lines = builds.map((build) => JSON.stringify(demoEnvelope(build))).join('\n')
    const t0 = performance.now()
    const result = await ingestBody(store, Buffer.from(lines), 'application/x-ndjson', ingestContext(config))
    batchMs += performance.now() - t0
    if (!result.ok) throw new Error(result.error.message)
    batchDocs += result.body.documents.length
    stored += result.body.documents.filter((document) => document.created).length
    if (offset / 500 % 40 === 0) process.stdout.write(`\r  filling: ${stored.toLocaleString('en')} builds`)
  }
  process.stdout.write('\n')
  console.log(`ingest, JSONL batches of 500 (parse + verify + store): ${(batchDocs / (batchMs / 1000)).toFixed(0)} documents/s (${batchDocs.toLocaleString('en')} documents in ${((performance.now() - started) / 1000).toFixed(1)} s including signing them)`)
}

// 2b. Rebuild verdicts on the stored builds' artifacts (signed rebuild attestations), JSONL batches of 500.
if (reuse === undefined) {
  const started = performance.now()
  let stored = 0
  let ingestMs = 0
  for (let offset = 0; stored < REBUILDS && offset < TOTAL; offset += 500) {
    // The same builds the fill above stored, so every verdict is filed under its build's project.
    const rebuilds = demoRebuilds(demoBuilds(500, 1000 + offset), 7 + offset)
    for (let start = 0; start < rebuilds.length && stored < REBUILDS; start += 500) {
      const batch = rebuilds.slice(start, start + Math.min(500, REBUILDS - stored))
      const lines = batch.map((rebuild) => JSON.stringify(demoRebuildEnvelope(rebuild))).join('\n')
      const t0 = performance.now()
      const result = await ingestBody(store, Buffer.from(lines), 'application/x-ndjson', ingestContext(config))
      ingestMs += performance.now() - t0
      if (!result.ok) throw new Error(result.error.message)
      stored += result.body.documents.filter((document) => document.created).length
    }
  }
  if (stored > 0) console.log(`ingest, rebuild attestations in JSONL batches of 500: ${(stored / (ingestMs / 1000)).toFixed(0)} documents/s (${stored.toLocaleString('en')} rebuilds in ${((performance.now() - started) / 1000).toFixed(1)} s including signing them)`)
}

// 3. GET /api/v1/builds latency over HTTP with the store full.
const projects = ['acme/web', 'acme/api', 'payments/ledger', 'platform/base-image']
const queries: [string, () => string][] = [
  ['newest page (limit 50)', () => '/api/v1/builds'],
  ['project filter', () => `/api/v1/builds?project=${projects[Math.floor(Math.random() * projects.length)]}`],
  ['status=failed', () => '/api/v1/builds?status=failed'],
  ['project + status + 30-day range', () => `/api/v1/builds?project=acme/api&status=verified&from=2026-09-01T00:00:00Z&to=2026-10-01T00:00:00Z`],
]
const deepCursors: string[] = []
{
  let cursor: string | null = null
  for (let page = 0; page < 40; page++) {
    const response: Response = await fetch(`${base}/api/v1/builds?limit=100${cursor ? `&cursor=${cursor}` : ''}`)
    cursor = BuildPage.parse(await response.json()).nextCursor
    if (!cursor) break
    deepCursors.push(cursor)
  }
}
queries.push(['a page deep in the history (cursor)', () => `/api/v1/builds?cursor=${deepCursors[Math.floor(Math.random() * deepCursors.length)]}`])
queries.push(['build detail', () => '/api/v1/builds/' + sampleId])
let sampleId = ''
{
  const first = BuildPage.parse(await (await fetch(`${base}/api/v1/builds?limit=1`)).json())
  sampleId = first.items[0]?.id ?? ''
}
// 4. The artifact, signatures, reproducibility and search screens: artifact, signatures, reproducibility, neighbours, search.
const pick = <T,>(items: readonly T[]): T => {
  const item = items[Math.floor(Math.random() * items.length)]
  if (item === undefined) throw new Error('bench: nothing to pick from')
  return item
}
const sample = { buildIds: [] as string[], commits: [] as string[], digests: [] as string[], rebuilt: [] as string[] }
{
  let cursor: string | null = null
  for (let page = 0; page < 10; page++) {
    const response: Response = await fetch(`${base}/api/v1/builds?limit=200${cursor ? `&cursor=${cursor}` : ''}`)
    const builds = BuildPage.parse(await response.json())
    for (const build of builds.items) {
      sample.buildIds.push(build.id)
      if (build.sourceCommit) sample.commits.push(build.sourceCommit)
      for (const subject of build.subjects) if (subject.digest.sha256) sample.digests.push(subject.digest.sha256)
    }
    cursor = builds.nextCursor
    if (!cursor) break
  }
  const rebuilds = RebuildPage.parse(await (await fetch(`${base}/api/v1/rebuilds?limit=500`)).json())
  for (const rebuild of rebuilds.items) if (rebuild.artifact.digest.sha256) sample.rebuilt.push(rebuild.artifact.digest.sha256)
  if (sample.rebuilt.length === 0) sample.rebuilt.push(...sample.digests)
}
const signers = ['demo-release-ed25519', 'demo-rebuilder-rebuild.acme.example-r1', 'rogue-release-key']
queries.push(
  ['artifact by full digest (rebuilt artifact)', () => `/api/v1/artifacts/sha256:${pick(sample.rebuilt)}`],
  ['artifact by 12-character prefix', () => `/api/v1/artifacts/${pick(sample.digests).slice(0, 12)}`],
  ['signatures, no filter (+ counts)', () => '/api/v1/signatures'],
  ['signatures status=failed', () => '/api/v1/signatures?status=failed'],
  ['signatures project filter', () => `/api/v1/signatures?project=${pick(projects)}`],
  ['signatures signer filter', () => `/api/v1/signatures?signer=${pick(signers)}`],
  ['signatures project + signer + status + range', () => `/api/v1/signatures?project=acme/web&signer=demo-release-ed25519&status=verified&from=2020-01-01T00:00:00Z&to=2030-01-01T00:00:00Z`],
  ['signatures, one week by signing time (+ counts)', () => '/api/v1/signatures?from=2026-11-01T00:00:00Z&to=2026-11-08T00:00:00Z'],
  ['builds by commit (full)', () => `/api/v1/builds?commit=${pick(sample.commits)}`],
  ['builds by commit (7-character prefix)', () => `/api/v1/builds?commit=${pick(sample.commits).slice(0, 7)}`],
  ['rebuilds, project filter', () => `/api/v1/rebuilds?project=${pick(projects)}`],
  ['reproducibility summary', () => '/api/v1/reproducibility'],
  ['reproducibility history, acme/web, 2 years (weekly)', () => '/api/v1/reproducibility/history?project=acme/web&from=2024-12-01T00:00:00Z&to=2026-12-01T00:00:00Z'],
  ['reproducibility history, acme/web, 120 days (daily)', () => '/api/v1/reproducibility/history?project=acme/web&from=2026-07-30T00:00:00Z&to=2026-11-28T00:00:00Z'],
  ['rebuilder matrix, 30 artifacts', () => `/api/v1/reproducibility/matrix?project=${pick(projects)}`],
  ['build neighbours', () => `/api/v1/builds/${pick(sample.buildIds)}/neighbours`],
  ['search digest prefix (12)', () => `/api/v1/search?q=${pick(sample.digests).slice(0, 12)}`],
  ['search commit', () => `/api/v1/search?q=${pick(sample.commits)}`],
  ['search name prefix "web"', () => '/api/v1/search?q=web'],
  ['search signer prefix "demo-re"', () => '/api/v1/search?q=demo-re'],
)

for (const [label, path] of queries) {
  for (let warm = 0; warm < 20; warm++) await (await fetch(base + path())).arrayBuffer()
  const samples: number[] = []
  for (let run = 0; run < 300; run++) {
    const t0 = performance.now()
    const response = await fetch(base + path())
    await response.arrayBuffer()
    samples.push(performance.now() - t0)
    if (response.status !== 200) throw new Error(`${label}: ${response.status}`)
  }
  console.log(`GET ${label}: p50 ${ms(percentile(samples, 50))}, p95 ${ms(percentile(samples, 95))} (300 requests, ${TOTAL.toLocaleString('en')} builds)`)
}

server.close()
await store.close()
if (process.env.BENCH_KEEP === '1' || reuse !== undefined) console.log(`bench: kept the database in ${dir}`)
else rmSync(dir, { recursive: true, force: true })
