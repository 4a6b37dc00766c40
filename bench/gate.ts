/**
 * `npm run bench` (gate): figures, not pass/fail; the goal is p95 < 100 ms a decision with 100,000 builds stored.
 *
 * The store: the seeded demo (1,600 builds with their SBOMs, rebuilds, deployments and alerts), plus a signed VSA
 * and a signed in-toto test result for each artifact the bench asks about, then copied (bench/bulk-fill.ts) until
 * it holds BENCH_BUILDS builds (default 100,000). Copies rewrite every key, so the artifacts asked about stay
 * unique while every index holds the full history. VSAs and test results are not copied: their index is read by
 * digest, as the few rows a real artifact has. The fill runs in a child process under `nice -n 10`.
 *
 * BENCH_GATE_DATA_DIR: a data directory to fill once and measure as it is on later runs (the fill is the slow
 * part); without it the store is temporary, kept with BENCH_KEEP=1.
 *
 * Measured over the HTTP handlers in process, under a policy like the demo's `release` that also requires a VSA and
 * a test result and blocks on open high alerts, so every rule and every query of the gate runs:
 * 1. POST /api/v1/gate for one artifact to production, alternating the demo's allowed and denied artifacts;
 * 2. POST /api/v1/gate for a release of 50 artifacts: latency of the request and of a decision (request / 50);
 * 3. POST /api/v1/verify with one signed demo provenance document and the expected digest;
 * 4. GET /api/v1/gate/decisions?digest=… once the decisions above are recorded.
 * Decisions are recorded, as in use (the token has scope ingest).
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import SqliteDatabase from 'better-sqlite3'
import type { Config } from '../server/config'
import { demoDeployments } from '../demo/deployments'
import { DEMO_RELEASE_POLICY, demoGatePair, demoReleasePolicy } from '../demo/gates'
import { demoKeys } from '../server/demo/keys'
import { demoBuilds } from '../demo/model'
import { demoRebuilds } from '../demo/rebuilds'
import { createApp } from '../server/app'
import { ingestContext } from '../server/config'
import { DEMO_INGEST_TOKEN, demoConfig, demoEnvelope, seedDemo, signEnvelope } from '../server/demo/seed'
import { ingestBody } from '../server/ingest/ingest'
import { openStore } from '../server/store/store'
import { replicateRows } from './bulk-fill'
import { ms, percentile } from './stats'

const TARGET = Number(process.env.BENCH_BUILDS ?? 100_000)
const ROUNDS = Number(process.env.BENCH_GATE_ROUNDS ?? 200)
const RELEASES = Number(process.env.BENCH_GATE_RELEASES ?? 20)
const FULL_POLICY = 'release-full'
const MARKER = 'gate-bench.json'

/** The demo's release gate, plus a VSA, a test result and open high alerts: every rule runs. */
function benchConfig(): Config {
  const config = demoConfig()
  const release = demoReleasePolicy()
  const gate = release.gate
  if (gate === undefined) throw new Error('the demo release policy has no gate')
  return {
    ...config,
    policies: [...config.policies, { ...release, name: FULL_POLICY, gate: { ...gate, blockOnAlertsAtOrAbove: 'high', requiredAttestations: [...gate.requiredAttestations, 'vsa', 'test-result'] } }],
  }
}

/** The artifacts the bench asks about: the demo pair, and a release of the first artifact of the 50 newest trusted builds. */
function targets() {
  const builds = demoBuilds()
  const rebuilds = demoRebuilds(builds)
  const pair = demoGatePair(builds, rebuilds, demoDeployments(builds, rebuilds))
  const release = [...builds]
    .reverse()
    .filter((build) => build.signing === 'trusted')
    .slice(0, 50)
    .flatMap((build) => (build.artifacts[0] ? [{ name: build.artifacts[0].name, sha256: build.artifacts[0].sha256 }] : []))
  return { builds, pair, release }
}

/** The child's work: seed the demo, attest the artifacts asked about, copy to TARGET builds. */
async function fill(dir: string): Promise<void> {
  const config = benchConfig()
  const store = await openStore({ dataDir: dir })
  const started = performance.now()
  try {
    await seedDemo(store, config)
    const { pair, release } = targets()
    const subjects = [...release, { name: pair.allowed.name, sha256: pair.allowed.digest.slice(7) }, { name: pair.denied.name, sha256: pair.denied.digest.slice(7) }]
    const key = demoKeys().ed25519
    const lines = subjects.flatMap(({ name, sha256 }) => {
      const subject = [{ name, digest: { sha256 } }]
      const vsa = { verifier: { id: 'https://verifier.bench.example' }, timeVerified: '2026-11-01T00:00:00Z', policy: { uri: 'https://bench.example/policy' }, verificationResult: 'PASSED', verifiedLevels: ['SLSA_BUILD_LEVEL_3'] }
      const tests = { result: 'PASSED', configuration: [{ name: 'ci.yml' }], url: 'https://ci.bench.example/run', passedTests: ['unit'], failedTests: [] }
      return [
        signEnvelope({ _type: 'https://in-toto.io/Statement/v1', subject, predicateType: 'https://slsa.dev/verification_summary/v1', predicate: vsa }, key),
        signEnvelope({ _type: 'https://in-toto.io/Statement/v1', subject, predicateType: 'https://in-toto.io/attestation/test-result/v0.1', predicate: tests }, key),
      ].map((envelope) => JSON.stringify(envelope))
    })
    const result = await ingestBody(store, Buffer.from(lines.join('\n')), 'application/x-ndjson', ingestContext(config))
    if (!result.ok || result.body.errors.length > 0) throw new Error(`bench attestations did not ingest: ${JSON.stringify(result)}`)
  } finally {
    await store.close()
  }
  const file = join(dir, 'provenance.db')
  const counter = new SqliteDatabase(file, { readonly: true })
  const builds = counter.prepare<[], { n: number }>('select count(*) as n from builds').get()?.n ?? 0
  counter.close()
  const copied = replicateRows(file, Math.max(0, Math.round(TARGET / builds) - 1))
  const total = copied.rows.builds ?? builds
  writeFileSync(join(dir, MARKER), JSON.stringify({ builds: total }))
  console.log(`gate: filled ${total.toLocaleString('en')} builds in ${((performance.now() - started) / 1000).toFixed(1)} s (demo seed of ${builds.toLocaleString('en')} builds, copied ${copied.copies} times in ${copied.seconds.toFixed(1)} s)`)
}

if (process.argv[2] === '--fill') {
  const dir = process.argv[3]
  if (dir === undefined) throw new Error('usage: gate.ts --fill DIR')
  await fill(dir)
  process.exit(0)
}

const given = process.env.BENCH_GATE_DATA_DIR
const dir = given ?? mkdtempSync(join(tmpdir(), 'provenance-bench-gate-'))
const keep = given !== undefined || process.env.BENCH_KEEP === '1'
const filledBefore = existsSync(join(dir, MARKER))
if (!filledBefore) {
  mkdirSync(dir, { recursive: true })
  // The fill is heavy and the machine is shared: it runs niced, apart from the measurement.
  const child = spawnSync('nice', ['-n', '10', process.execPath, '--import', 'tsx', fileURLToPath(import.meta.url), '--fill', dir], { stdio: 'inherit', env: process.env })
  if (child.status !== 0) throw new Error(`the fill failed (${child.status ?? child.signal ?? 'unknown'})`)
}
const stored = (JSON.parse(readFileSync(join(dir, MARKER), 'utf8')) as { builds: number }).builds

const config = benchConfig()
// Copied rows have no log index; the log is not caught up on open (reads never need it).
const store = await openStore({ dataDir: dir, catchUpLog: false })
try {
  const app = createApp({ store, config, version: 'bench', demo: false })
  const { builds, pair, release } = targets()
  const releaseDigests = release.map((artifact) => `sha256:${artifact.sha256}`)

  const timed = async (samples: number[], run: () => Response | Promise<Response>) => {
    const t0 = performance.now()
    const response = await run()
    const body = await response.text()
    samples.push(performance.now() - t0)
    if (response.status !== 200) throw new Error(`bench request answered ${response.status}: ${body.slice(0, 300)}`)
    return body
  }
  const gate = (body: unknown) =>
    app.request('/api/v1/gate', { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json', authorization: `Bearer ${DEMO_INGEST_TOKEN}` } })

  // Warm-up, and a check that the bench measures what it says: the allowed artifact passes every rule.
  const warm = JSON.parse(await timed([], () => gate({ digests: [pair.allowed.digest], policy: FULL_POLICY, environment: 'production' }))) as { decision: string; artifacts: { reasons: { rule: string; ok: boolean; actual: string }[] }[] }
  const failing = warm.artifacts[0]?.reasons.filter((reason) => !reason.ok) ?? []
  if (warm.decision !== 'allow') console.log(`gate: note: the allowed demo artifact is denied under ${FULL_POLICY}: ${failing.map((reason) => `${reason.rule}: ${reason.actual}`).join('; ')}`)

  const single: number[] = []
  for (let round = 0; round < ROUNDS; round++) {
    await timed(single, () => gate({ digests: [round % 2 === 0 ? pair.allowed.digest : pair.denied.digest], policy: FULL_POLICY, environment: 'production' }))
  }
  const releases: number[] = []
  for (let round = 0; round < RELEASES; round++) await timed(releases, () => gate({ digests: releaseDigests, policy: FULL_POLICY, environment: 'production' }))
  const demoPolicy: number[] = []
  for (let round = 0; round < RELEASES; round++) await timed(demoPolicy, () => gate({ digests: releaseDigests, policy: DEMO_RELEASE_POLICY, environment: 'production' }))

  const verify: number[] = []
  const documents = builds.slice(-ROUNDS).map((build) => ({ body: JSON.stringify(demoEnvelope(build)), digest: `sha256:${build.artifacts[0]?.sha256 ?? ''}` }))
  for (const { body, digest } of documents) {
    await timed(verify, () => app.request(`/api/v1/verify?digest=${digest}`, { method: 'POST', body, headers: { 'content-type': 'application/json' } }))
  }

  const listing: number[] = []
  for (let round = 0; round < ROUNDS; round++) await timed(listing, () => app.request(`/api/v1/gate/decisions?digest=${round % 2 === 0 ? pair.allowed.digest : (releaseDigests[round % 50] ?? '')}`))

  const summary = (samples: number[]) => `p50 ${ms(percentile(samples, 50))}, p95 ${ms(percentile(samples, 95))}`
  const perDecision = (samples: number[]) => samples.map((sample) => sample / releaseDigests.length)
  const rate = (samples: number[]) => (releaseDigests.length / (samples.reduce((a, b) => a + b, 0) / samples.length / 1000)).toFixed(0)
  console.log(
    `gate: SQLite, ${stored.toLocaleString('en')} builds stored (${filledBefore ? `filled before, in ${dir}` : `filled now${keep ? `, kept in ${dir}` : ''}`}), Node ${process.version}, load average ${loadavg().map((load) => load.toFixed(1)).join(' ')}`,
  )
  console.log(`gate: POST /api/v1/gate, one artifact to production under ${FULL_POLICY} (every rule), ${ROUNDS} requests: ${summary(single)} a decision`)
  console.log(`gate: POST /api/v1/gate, a release of ${releaseDigests.length} artifacts under ${FULL_POLICY}, ${RELEASES} requests: ${summary(releases)} a request; ${summary(perDecision(releases))} a decision; ${rate(releases)} decisions/s`)
  console.log(`gate: the same release under the demo's ${DEMO_RELEASE_POLICY} (no VSA, test or alert rule): ${summary(demoPolicy)} a request; ${summary(perDecision(demoPolicy))} a decision`)
  console.log(`gate: POST /api/v1/verify, one signed provenance document with the expected digest, ${documents.length} requests: ${summary(verify)}`)
  console.log(`gate: GET /api/v1/gate/decisions?digest=…, ${ROUNDS} requests: ${summary(listing)}`)
} finally {
  await store.close()
  if (!keep) rmSync(dir, { recursive: true, force: true })
}
