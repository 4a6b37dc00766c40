/**
 * `npm run bench` (alerts): figures, not pass/fail.
 *
 * 1. Ingest throughput with and without the anomaly rules: the same signed demo documents, JSONL batches of 250,
 *    into two fresh stores; "with rules" also runs what the ingest middleware runs after each request
 *    (engine.catchUp(): facts, baselines, rules, filing alerts). BENCH_INGEST_DOCS sets how many (default 2,000).
 * 2. Latency (p50/p95) of the alert queue, one alert and the overview over HTTP handlers with BENCH_ALERT_BUILDS
 *    builds (default 100,000) and BENCH_ALERTS alerts (default 20,000) on SQLite. The builds are ingested as
 *    `npm run bench` fills its store; the alerts are filed through the alert store from findings spread over the
 *    builds, projects, rules and states (evaluation of demo data raises far fewer than 20,000 causes).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { alertRules, alertSeverities, AlertPage, AlertQuery } from '../src/contract/alerts'
import { demoBuilds } from '../demo/model'
import type { Finding } from '../domain/alerts/rules'
import { alertEngine } from '../server/alerts/engine'
import { createApp } from '../server/app'
import { ingestContext } from '../server/config'
import { demoConfig, demoEnvelope } from '../server/demo/seed'
import { ingestBody } from '../server/ingest/ingest'
import { openStore } from '../server/store/store'
import type { Store } from '../server/store/types'
import { ms, percentile } from './stats'

const INGEST_DOCS = Number(process.env.BENCH_INGEST_DOCS ?? 2000)
const BUILDS = Number(process.env.BENCH_ALERT_BUILDS ?? 100_000)
const ALERTS = Number(process.env.BENCH_ALERTS ?? 20_000)
const config = demoConfig()
const dirs: string[] = []
const fresh = async (): Promise<Store> => {
  const dir = mkdtempSync(join(tmpdir(), 'provenance-bench-alerts-'))
  dirs.push(dir)
  return openStore({ dataDir: dir })
}

// 1. Ingest with and without rules, same documents, alternating rounds so load on the machine hits both alike.
const envelopes = demoBuilds(INGEST_DOCS, 3).map((build) => JSON.stringify(demoEnvelope(build)))
const batches: Buffer[] = []
for (let offset = 0; offset < envelopes.length; offset += 250) batches.push(Buffer.from(envelopes.slice(offset, offset + 250).join('\n')))
const plain = await fresh()
const ruled = await fresh()
const engine = alertEngine(ruled, config, Date.now)
let plainMs = 0
let ruledMs = 0
for (const batch of batches) {
  let t0 = performance.now()
  const a = await ingestBody(plain, batch, 'application/x-ndjson', ingestContext(config))
  plainMs += performance.now() - t0
  t0 = performance.now()
  const b = await ingestBody(ruled, batch, 'application/x-ndjson', ingestContext(config))
  await engine.catchUp()
  ruledMs += performance.now() - t0
  if (!a.ok || !b.ok) throw new Error('bench ingest failed')
}
const plainRate = envelopes.length / (plainMs / 1000)
const ruledRate = envelopes.length / (ruledMs / 1000)
const found = await ruled.alerts.list(AlertQuery.parse({ sort: 'severity', limit: 1 }))
console.log(`alerts: ingest, JSONL batches of 250, ${envelopes.length} documents: without rules ${plainRate.toFixed(0)} documents/s, with rules ${ruledRate.toFixed(0)} documents/s (${((1 - ruledRate / plainRate) * 100).toFixed(1)}% slower; ${found.counts.open} alerts raised)`)
await plain.close()
await ruled.close()

// 2. The queue and the overview with BUILDS builds and ALERTS alerts.
const store = await fresh()
let stored = 0
for (let offset = 0; stored < BUILDS; offset += 500) {
  const count = Math.min(500, BUILDS - stored)
  const lines = demoBuilds(count, 1000 + offset).map((build) => JSON.stringify(demoEnvelope(build))).join('\n')
  const result = await ingestBody(store, Buffer.from(lines), 'application/x-ndjson', ingestContext(config))
  if (!result.ok) throw new Error(result.error.message)
  stored += result.body.documents.filter((document) => document.created).length
  if ((offset / 500) % 20 === 0) process.stdout.write(`\r  alerts bench: filling ${stored.toLocaleString('en')} builds`)
}
process.stdout.write('\n')

const ids: { id: string; project: string; time: number }[] = []
for (let after: { time: number; id: string } | null = null; ; ) {
  const page = await store.alerts.buildsInOrder(after, 5000)
  if (page.length === 0) break
  ids.push(...page.map((row) => ({ ...row, project: '' })))
  const last = page.at(-1)
  after = last ? { time: last.time, id: last.id } : null
}
const projects = ['acme/web', 'acme/api', 'acme/cli', 'payments/ledger', 'platform/base-image', 'data/etl']
const items: { finding: Finding; occurrence: { buildId: string; documentId: string; at: number; found: string } }[] = []
for (let index = 0; index < ALERTS; index++) {
  const build = ids[(index * 7919) % ids.length]
  if (!build) break
  const rule = alertRules[index % alertRules.length] ?? 'duration-outlier'
  const project = projects[index % projects.length] ?? 'acme/web'
  items.push({
    finding: {
      rule,
      severity: alertSeverities[(index * 31) % alertSeverities.length] ?? 'low',
      project,
      cause: `bench cause ${index}`,
      title: `bench alert ${index}`,
      subject: { kind: 'build', id: build.id, buildId: build.id, label: `${project} build` },
      evidence: { expected: 'expected', found: 'found', basis: 'bench', documents: [{ id: build.id, label: 'provenance' }] },
    },
    occurrence: { buildId: build.id, documentId: build.id, at: build.time, found: 'found' },
  })
}
for (let offset = 0; offset < items.length; offset += 1000) await store.alerts.record(items.slice(offset, offset + 1000), Date.now())
// A share of them triaged, so the state filters have something to find.
const all = await store.alerts.list(AlertQuery.parse({ sort: 'recent', limit: 500 }))
for (const [position, alert] of all.items.entries()) await store.alerts.transition(alert.id, { state: position % 2 === 0 ? 'acknowledged' : 'resolved' }, 'bench', Date.now())

const app = createApp({ store, config, version: 'bench', demo: false })
await app.request('/api/v1/alerts?limit=1')
const page = AlertPage.parse(await (await app.request('/api/v1/alerts?limit=100')).json())
const someAlert = page.items[17]?.id ?? ''
const someBuild = ids[Math.floor(ids.length / 2)]?.id ?? ''
const queries: [string, () => string][] = [
  ['queue: open, most severe first (100)', () => '/api/v1/alerts?limit=100'],
  ['queue: open, most recent first', () => '/api/v1/alerts?sort=recent&limit=100'],
  ['queue: one project', () => `/api/v1/alerts?project=${encodeURIComponent(projects[Math.floor(Math.random() * projects.length)] ?? 'acme/web')}&limit=100`],
  ['queue: one rule, acknowledged', () => `/api/v1/alerts?rule=${alertRules[Math.floor(Math.random() * alertRules.length)] ?? 'duration-outlier'}&state=acknowledged`],
  ['queue: 500 at once (the screen)', () => '/api/v1/alerts?limit=500'],
  ['queue: page 2 by cursor', () => `/api/v1/alerts?limit=100&cursor=${page.nextCursor ?? ''}`],
  ['queue: alerts of one build', () => `/api/v1/alerts?buildId=${someBuild}`],
  ['one alert with history', () => `/api/v1/alerts/${someAlert}`],
  ['overview', () => '/api/v1/overview?day=2026-11-27'],
]
const counts = (await store.alerts.list(AlertQuery.parse({ sort: 'recent', limit: 1 }))).counts
const alertTotal = counts.open + counts.acknowledged + counts.resolved + counts.waived
console.log(`alerts: latency with ${stored.toLocaleString('en')} builds and ${alertTotal.toLocaleString('en')} alerts (SQLite, in-process HTTP handlers, 200 requests each):`)
for (const [name, path] of queries) {
  const samples: number[] = []
  for (let round = 0; round < 200; round++) {
    const t0 = performance.now()
    const response = await app.request(path())
    await response.arrayBuffer()
    samples.push(performance.now() - t0)
    if (response.status !== 200) throw new Error(`${name} answered ${response.status}`)
  }
  console.log(`  ${name}: p50 ${ms(percentile(samples, 50))}, p95 ${ms(percentile(samples, 95))}`)
}
await store.close()
for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
