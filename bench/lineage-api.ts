/**
 * `npm run bench` (lineage part): latency of GET /api/v1/lineage at depth 3 with 100,000 builds, 20,000 rebuild
 * verdicts and 7,500 deployments stored on SQLite, around artifacts, builds, commits, deployments and an
 * environment, over HTTP. Figures, not pass/fail; the budget is p95 < 50 ms. BENCH_BUILDS changes the size;
 * BENCH_LINEAGE_DIR reuses a database a run with BENCH_KEEP=1 filled.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { serve } from '@hono/node-server'
import { BuildPage } from '../src/contract/builds'
import { DeploymentPage, type DeploymentInputJson } from '../src/contract/deployments'
import { LineageGraph } from '../src/contract/lineage'
import { demoBuilds } from '../demo/model'
import { demoRebuilds } from '../demo/rebuilds'
import { createApp } from '../server/app'
import { ingestContext } from '../server/config'
import { demoRebuildEnvelope } from '../server/demo/rebuilds'
import { DEMO_INGEST_TOKEN, demoConfig, demoEnvelope } from '../server/demo/seed'
import { ingestBody } from '../server/ingest/ingest'
import { openStore } from '../server/store/store'
import { ms, percentile } from './stats'

const TOTAL = Number(process.env.BENCH_BUILDS ?? 100_000)
const REBUILDS = Math.round(TOTAL / 5)
const reuse = process.env.BENCH_LINEAGE_DIR
const dir = reuse ?? mkdtempSync(join(tmpdir(), 'provenance-bench-lineage-'))
const config = demoConfig()
const store = await openStore({ dataDir: dir })
const app = createApp({ store, config, version: 'bench', demo: false })
const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' })
if ('keepAliveTimeout' in server) server.keepAliveTimeout = 10 * 60_000
await new Promise((resolve) => server.once('listening', resolve))
const address = server.address()
const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`
console.log(`bench lineage: SQLite in ${dir}, ${TOTAL.toLocaleString('en')} builds, Node ${process.version}`)

if (reuse === undefined) {
  const started = performance.now()
  let stored = 0
  for (let offset = 0; stored < TOTAL; offset += 500) {
    const builds = demoBuilds(Math.min(500, TOTAL - stored), 1000 + offset)
    const result = await ingestBody(store, Buffer.from(builds.map((build) => JSON.stringify(demoEnvelope(build))).join('\n')), 'application/x-ndjson', ingestContext(config))
    if (!result.ok) throw new Error(result.error.message)
    stored += result.body.documents.filter((document) => document.created).length
    // Every build's verdicts while there are verdicts to give, then none: a fifth of the history is rebuilt.
    if (offset < REBUILDS) {
      const rebuilds = demoRebuilds(builds, 7 + offset).slice(0, 500)
      const verdicts = await ingestBody(store, Buffer.from(rebuilds.map((rebuild) => JSON.stringify(demoRebuildEnvelope(rebuild))).join('\n')), 'application/x-ndjson', ingestContext(config))
      if (!verdicts.ok) throw new Error(verdicts.error.message)
    }
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
    if (offset / 500 % 40 === 0) process.stdout.write(`\r  filling: ${stored.toLocaleString('en')} builds`)
  }
  process.stdout.write('\n')
  console.log(`filled ${stored.toLocaleString('en')} builds with rebuilds and deployments in ${((performance.now() - started) / 1000).toFixed(1)} s`)
}

// Roots from across the history: builds (and their artifacts and commits) from pages deep in the list, and deployments.
const builds: { id: string; commit: string | null; digest: string | null }[] = []
{
  let cursor: string | null = null
  for (let page = 0; page < 60; page++) {
    const answer: BuildPage = BuildPage.parse(await (await fetch(`${base}/api/v1/builds?limit=500${cursor ? `&cursor=${cursor}` : ''}`)).json())
    // Two builds a page, so the roots are spread over 30,000 builds rather than the newest few.
    for (const item of [answer.items[0], answer.items[250]]) {
      const sha256 = item?.subjects[0]?.digest.sha256
      if (item) builds.push({ id: item.id, commit: item.sourceCommit, digest: sha256 === undefined ? null : `sha256:${sha256}` })
    }
    cursor = answer.nextCursor
    if (!cursor) break
  }
}
const deploymentIds = DeploymentPage.parse(await (await fetch(`${base}/api/v1/deployments?limit=200`)).json()).items.map((deployment) => deployment.id)
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
  for (let round = 0; round < ROUNDS + 10; round++) {
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
  console.log(`  ${label.padEnd(30)} p50 ${ms(percentile(samples, 50)).padStart(9)}  p95 ${ms(percentile(samples, 95)).padStart(9)}  max ${ms(Math.max(...samples)).padStart(9)}`)
}
console.log(`  (graphs of ${(nodes / graphs).toFixed(1)} nodes on average; budget p95 < 50 ms)`)

server.close()
await store.close()
if (reuse === undefined && process.env.BENCH_KEEP !== '1') rmSync(dir, { recursive: true, force: true })
else console.log(`kept ${dir}`)
