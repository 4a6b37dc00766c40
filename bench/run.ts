/**
 * `npm run bench`: figures, not pass/fail. Ingest throughput with verification, and the latency of the
 * endpoints behind the Builds screen with 100,000 builds stored on SQLite. BENCH_BUILDS changes the size.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { serve } from '@hono/node-server'
import { BuildPage } from '../src/contract/builds'
import { demoBuilds } from '../mocks/data/demo-model'
import { createApp } from '../server/app'
import { ingestContext } from '../server/config'
import { DEMO_INGEST_TOKEN, demoConfig, demoEnvelope } from '../server/demo/seed'
import { ingestBody } from '../server/ingest/ingest'
import { openStore } from '../server/store/store'
import { ms, percentile } from './stats'

const TOTAL = Number(process.env.BENCH_BUILDS ?? 100_000)
const dir = mkdtempSync(join(tmpdir(), 'provenance-bench-'))
const config = demoConfig()
const store = await openStore({ dataDir: dir })
const app = createApp({ store, config, version: 'bench', demo: false })
const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' })
await new Promise((resolve) => server.once('listening', resolve))
const address = server.address()
const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`
console.log(`bench: SQLite in ${dir}, ${TOTAL.toLocaleString('en')} builds, Node ${process.version}`)

// 1. Ingest through HTTP, one document per request (what a CI job does), 4 clients at once.
{
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
{
  const started = performance.now()
  let stored = await store.countDocuments()
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
rmSync(dir, { recursive: true, force: true })
