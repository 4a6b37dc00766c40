/**
 * `npm run bench` (gate): figures, not pass/fail. On the seeded demo store (1,600 builds with their SBOMs,
 * rebuilds, deployments and alerts; BENCH_GATE_EXTRA_BUILDS adds more demo builds on top), over the HTTP
 * handlers in process:
 *
 * 1. POST /api/v1/gate for one artifact under the demo's `release` policy (to production: every rule runs,
 *    promotion order included), alternating the allowed and the denied artifact of demo/gates.ts; each answer is
 *    recorded, as in use.
 * 2. POST /api/v1/gate for a release of 50 artifacts: latency of the request, and decisions per second.
 * 3. POST /api/v1/verify with one signed demo provenance document and the expected digest.
 * 4. GET /api/v1/gate/decisions?digest=… once every decision above is recorded.
 *
 * BENCH_GATE_DATA_DIR: a data directory the demo server has already seeded (`npm start` with DATA_DIR); it is used
 * as it is, not seeded again and not deleted, which spares minutes on a loaded machine.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { demoDeployments } from '../demo/deployments'
import { DEMO_RELEASE_POLICY, demoGatePair } from '../demo/gates'
import { demoBuilds } from '../demo/model'
import { demoRebuilds } from '../demo/rebuilds'
import { createApp } from '../server/app'
import { ingestContext } from '../server/config'
import { demoConfig, demoEnvelope, seedDemo } from '../server/demo/seed'
import { ingestBody } from '../server/ingest/ingest'
import { openStore } from '../server/store/store'
import { ms, percentile } from './stats'

const EXTRA = Number(process.env.BENCH_GATE_EXTRA_BUILDS ?? 0)
const ROUNDS = Number(process.env.BENCH_GATE_ROUNDS ?? 200)
const RELEASES = Number(process.env.BENCH_GATE_RELEASES ?? 20)

const given = process.env.BENCH_GATE_DATA_DIR
const dir = given ?? mkdtempSync(join(tmpdir(), 'provenance-bench-gate-'))
const config = demoConfig()
const store = await openStore({ dataDir: dir })
try {
  const seeded = given === undefined ? await seedDemo(store, config) : null
  for (let stored = 0, offset = 0; stored < EXTRA; offset += 500) {
    const lines = demoBuilds(Math.min(500, EXTRA - stored), 5000 + offset).map((build) => JSON.stringify(demoEnvelope(build)))
    const result = await ingestBody(store, Buffer.from(lines.join('\n')), 'application/x-ndjson', ingestContext(config))
    if (!result.ok) throw new Error(result.error.message)
    stored += lines.length
  }
  const app = createApp({ store, config, version: 'bench', demo: false })
  const builds = demoBuilds()
  const rebuilds = demoRebuilds(builds)
  const pair = demoGatePair(builds, rebuilds, demoDeployments(builds, rebuilds))

  const timed = async (samples: number[], run: () => Response | Promise<Response>) => {
    const t0 = performance.now()
    const response = await run()
    await response.arrayBuffer()
    samples.push(performance.now() - t0)
    if (response.status !== 200) throw new Error(`bench request answered ${response.status}`)
  }
  const gate = (body: unknown) => app.request('/api/v1/gate', { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } })

  const single: number[] = []
  for (let round = 0; round < ROUNDS; round++) {
    await timed(single, () => gate({ digests: [round % 2 === 0 ? pair.allowed.digest : pair.denied.digest], policy: DEMO_RELEASE_POLICY, environment: 'production' }))
  }

  // A release: the first artifact of the 50 newest trusted builds.
  const release = [...builds]
    .reverse()
    .filter((build) => build.signing === 'trusted')
    .slice(0, 50)
    .flatMap((build) => (build.artifacts[0] ? [`sha256:${build.artifacts[0].sha256}`] : []))
  const releases: number[] = []
  for (let round = 0; round < RELEASES; round++) await timed(releases, () => gate({ digests: release, policy: DEMO_RELEASE_POLICY, environment: 'production' }))

  const verify: number[] = []
  const documents = builds.slice(-ROUNDS).map((build) => ({ body: JSON.stringify(demoEnvelope(build)), digest: `sha256:${build.artifacts[0]?.sha256 ?? ''}` }))
  for (const { body, digest } of documents) {
    await timed(verify, () => app.request(`/api/v1/verify?digest=${digest}`, { method: 'POST', body, headers: { 'content-type': 'application/json' } }))
  }

  const listing: number[] = []
  for (let round = 0; round < ROUNDS; round++) await timed(listing, () => app.request(`/api/v1/gate/decisions?digest=${round % 2 === 0 ? pair.allowed.digest : release[round % 50] ?? ''}`))

  const summary = (samples: number[]) => `p50 ${ms(percentile(samples, 50))}, p95 ${ms(percentile(samples, 95))}`
  const perDecision = releases.map((sample) => sample / release.length)
  console.log(`gate: demo store, ${(builds.length + EXTRA).toLocaleString('en')} builds (${seeded === null ? `seeded before, in ${dir}` : `seeded in ${(seeded.ms / 1000).toFixed(1)} s`})`)
  console.log(`gate: POST /api/v1/gate, one artifact to production, ${ROUNDS} requests: ${summary(single)}`)
  console.log(
    `gate: POST /api/v1/gate, a release of ${release.length} artifacts, ${RELEASES} requests: ${summary(releases)} a request; ${summary(perDecision)} an artifact; ${(release.length / (releases.reduce((a, b) => a + b, 0) / releases.length / 1000)).toFixed(0)} artifact decisions/s`,
  )
  console.log(`gate: POST /api/v1/verify, one signed provenance document with the expected digest, ${documents.length} requests: ${summary(verify)}`)
  console.log(`gate: GET /api/v1/gate/decisions?digest=…, ${ROUNDS} requests over ${ROUNDS + RELEASES} decisions: ${summary(listing)}`)
} finally {
  await store.close()
  if (given === undefined) rmSync(dir, { recursive: true, force: true })
}
