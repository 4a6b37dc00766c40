/**
 * `npm run bench` (lineage part): latency of GET /api/v1/lineage at depth 3 with 100,000 builds, 20,000 rebuild
 * verdicts and 7,600 deployments stored on SQLite, around artifacts, builds, commits, deployments and an
 * environment, over HTTP. Figures, not pass/fail; the budget is p95 < 50 ms. BENCH_BUILDS changes the size
 * (rounded to whole thousands); BENCH_LINEAGE_DIR reuses a database a run with BENCH_KEEP=1 filled.
 *
 * The store is filled the fast way (bench/bulk-fill.ts): a template of 1,000 builds, their verdicts and
 * deployments goes through ingest and the deployments API; its rows are then copied in one transaction.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { listen } from './listen'
import SqliteDatabase from 'better-sqlite3'
import { type DeploymentInputJson } from '../src/contract/deployments'
import { LineageGraph } from '../src/contract/lineage'
import { demoBuilds } from '../demo/model'
import { demoRebuilds } from '../demo/rebuilds'
import { createApp } from '../server/app'
import { ingestContext } from '../server/config'
import { demoRebuildEnvelope } from '../server/demo/rebuilds'
import { DEMO_INGEST_TOKEN, demoConfig, demoEnvelope } from '../server/demo/seed'
import { ingestBody } from '../server/ingest/ingest'
import { openStore } from '../server/store/store'
import { replicateRows } from './bulk-fill'
import { ms, percentile } from './stats'

const TEMPLATE = 1000
const COPIES = Math.max(1, Math.round(Number(process.env.BENCH_BUILDS ?? 100_000) / TEMPLATE))
const TOTAL = TEMPLATE * COPIES
const reuse = process.env.BENCH_LINEAGE_DIR
const dir = reuse ?? mkdtempSync(join(tmpdir(), 'provenance-bench-lineage-'))
const config = demoConfig()
// Copied rows have no log index; a reused database is read only, so its log is not caught up on open.
const store = await openStore({ dataDir: dir, catchUpLog: reuse === undefined })
const app = createApp({ store, config, version: 'bench', demo: false })
const { base, server } = await listen(app.fetch)
// The machine's load is printed beside the figures: on a shared machine it moves them more than any query does.
console.log(`bench lineage: SQLite in ${dir}, ${TOTAL.toLocaleString('en')} builds, Node ${process.version}, load average ${loadavg().map((load) => load.toFixed(1)).join(' ')}`)

if (reuse === undefined) {
  const started = performance.now()
  let stored = 0
  for (let offset = 0; stored < TEMPLATE; offset += 500) {
    const builds = demoBuilds(Math.min(500, TEMPLATE - stored), 1000 + offset)
    const result = await ingestBody(store, Buffer.from(builds.map((build) => JSON.stringify(demoEnvelope(build))).join('\n')), 'application/x-ndjson', ingestContext(config))
    if (!result.ok) throw new Error(result.error.message)
    stored += result.body.documents.filter((document) => document.created).length
    // A fifth of the history is rebuilt: one verdict for every five builds.
    const rebuilds = demoRebuilds(builds, 7 + offset).slice(0, builds.length / 5)
    const verdicts = await ingestBody(store, Buffer.from(rebuilds.map((rebuild) => JSON.stringify(demoRebuildEnvelope(rebuild))).join('\n')), 'application/x-ndjson', ingestContext(config))
    if (!verdicts.ok) throw new Error(verdicts.error.message)
    // One build in twenty is deployed to staging, one in forty promoted to production.
    const deployments: DeploymentInputJson[] = []
    builds.forEach((build, index) => {
      const artifact = build.artifacts[0]
      if (artifact === undefined || index % 20 !== 0) return
      const input = (environment: string, later: number): DeploymentInputJson => ({
        artifacts: [{ digest: `sha256:${artifact.sha256}`, name: artifact.name }],
        environment: { name: environment },
        service: build.project,
        deployedAt: new Date(build.finishedAt + later).toISOString(),
        system: { name: 'bench' },
      })
      deployments.push(input('staging', 600_000))
      if (index % 40 === 0) deployments.push(input('production', 86_400_000))
    })
    const posted = await fetch(`${base}/api/v1/deployments`, {
      method: 'POST',
      headers: { authorization: `Bearer ${DEMO_INGEST_TOKEN}`, 'content-type': 'application/x-ndjson' },
      body: deployments.map((deployment) => JSON.stringify(deployment)).join('\n'),
    })
    if (posted.status !== 201) throw new Error(`deployments answered ${posted.status}: ${await posted.text()}`)
  }
  const ingested = (performance.now() - started) / 1000
  const copied = replicateRows(join(dir, 'provenance.db'), COPIES - 1)
  const rows = Object.entries(copied.rows).map(([table, count]) => `${count.toLocaleString('en')} ${table}`).join(', ')
  console.log(`filled in ${(ingested + copied.seconds).toFixed(1)} s: template of ${TEMPLATE.toLocaleString('en')} builds ingested in ${ingested.toFixed(1)} s, copied ${copied.copies} times in ${copied.seconds.toFixed(1)} s (${rows})`)
}

// Roots from across the whole history, read straight from the database: builds with their commits and first
// subjects, and deployments.
const reader = new SqliteDatabase(join(dir, 'provenance.db'), { readonly: true })
const builds = reader
  .prepare<[], { id: string; commit: string | null; digest: string | null }>(
    `select b.id, b.source_commit as "commit", (select 'sha256:' || s.digest_value from subjects s where s.build_id = b.id and s.digest_algorithm = 'sha256' order by s.position limit 1) as digest
     from builds b order by random() limit 300`,
  )
  .all()
const deploymentIds = reader.prepare<[], { id: string }>('select id from deployments order by random() limit 300').all().map((row) => row.id)
reader.close()
const pick = <T,>(items: readonly T[]): T => {
  const item = items[Math.floor(Math.random() * items.length)]
  if (item === undefined) throw new Error('nothing to pick from')
  return item
}

const roots: [string, () => string][] = [
  ['artifact digest', () => pick(builds.flatMap((build) => (build.digest === null ? [] : [build.digest])))],
  ['artifact digest prefix (12)', () => pick(builds.flatMap((build) => (build.digest === null ? [] : [build.digest.slice(7, 19)])))],
  ['build id', () => pick(builds).id],
  ['commit', () => pick(builds.flatMap((build) => (build.commit === null ? [] : [build.commit])))],
  ['deployment id', () => pick(deploymentIds)],
  ['environment (grouped)', () => 'env:staging'],
]

const ROUNDS = 150
let nodes = 0
let graphs = 0
console.log(`GET /api/v1/lineage, depth 3, both directions, ${ROUNDS} requests per kind of root after 10 warm-up:`)
for (const [label, from] of roots) {
  const samples: number[] = []
  let cpu = process.cpuUsage()
  for (let round = 0; round < ROUNDS + 10; round++) {
    if (round === 10) cpu = process.cpuUsage()
    const t0 = performance.now()
    const response = await fetch(`${base}/api/v1/lineage?from=${encodeURIComponent(from())}&depth=3`)
    const body: unknown = await response.json()
    const elapsed = performance.now() - t0
    if (response.status !== 200) throw new Error(`lineage answered ${response.status}: ${JSON.stringify(body).slice(0, 300)}`)
    const graph = LineageGraph.parse(body)
    nodes += graph.nodes.length
    graphs++
    if (round >= 10) samples.push(elapsed)
  }
  // CPU time of this process (server and client) per request: what a request costs, which the machine's load
  // does not move as it moves wall time.
  const used = process.cpuUsage(cpu)
  const cpuPerRequest = (used.user + used.system) / 1000 / ROUNDS
  console.log(`  ${label.padEnd(30)} p50 ${ms(percentile(samples, 50)).padStart(9)}  p95 ${ms(percentile(samples, 95)).padStart(9)}  max ${ms(Math.max(...samples)).padStart(9)}  CPU ${ms(cpuPerRequest).padStart(8)} a request`)
}
console.log(`  (graphs of ${(nodes / graphs).toFixed(1)} nodes on average; budget p95 < 50 ms; load average now ${loadavg().map((load) => load.toFixed(1)).join(' ')})`)

server.close()
await store.close()
if (reuse === undefined && process.env.BENCH_KEEP !== '1') rmSync(dir, { recursive: true, force: true })
else console.log(`kept ${dir}`)
