/**
 * `npm run bench` (PostgreSQL leg, only with BENCH_PG=1): the endpoints behind every screen on SQLite and on
 * PostgreSQL side by side, with BENCH_BUILDS builds (default 1,000,000) and their subjects, signatures, rebuild
 * verdicts and deployments in the demo's proportions; and each database's size per 100,000 builds.
 *
 * Filling (bench/bulk-fill.ts): a template of min(BENCH_TEMPLATE, BENCH_BUILDS) demo builds (default 1,000) goes
 * through the real ingest path into SQLite (signed provenance, the demo's rebuild verdicts, its deployments, the
 * alert rules), its rows are copied with keys rewritten and times shifted back per copy (prepared inserts in one
 * transaction), and then the whole SQLite store is loaded into PostgreSQL with COPY, so both engines hold the same
 * rows. The demo's 121 days hold 10,000 builds' worth of copies (83 builds a day), so a million builds reach back
 * 33 years and times stay after 1970.
 *
 * BENCH_DATA_DIR keeps both databases (SQLite in <dir>/sqlite, a PostgreSQL 15 cluster in <dir>/postgres, which
 * the `postgres` user must be able to reach: not under /root) so the fill runs once and later runs only measure;
 * without it both are temporary. BENCH_ROUNDS sets requests per endpoint and engine (default 150);
 * BENCH_TEMPLATE the template's size; BENCH_FILL=sqlite fills only SQLite and exits. Run fills
 * under `nice`: a million builds take long on a shared machine.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, statfsSync, writeFileSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import SqliteDatabase from 'better-sqlite3'
import pg from 'pg'
import { BuildPage } from '../src/contract/builds'
import { demoBuilds } from '../demo/model'
import { demoRebuilds } from '../demo/rebuilds'
import { alertEngine } from '../server/alerts/engine'
import { createApp } from '../server/app'
import { ingestContext, type Config } from '../server/config'
import { seedDemoDeployments } from '../server/deployments/seed-demo'
import { demoKeys } from '../server/demo/keys'
import { demoRebuildEnvelope } from '../server/demo/rebuilds'
import { demoConfig, demoEnvelope, signEnvelope } from '../server/demo/seed'
import { ingestBody } from '../server/ingest/ingest'
import { startPgCluster } from '../server/store/testing/pg-cluster'
import { openStore } from '../server/store/store'
import type { Store } from '../server/store/types'
import { copySqliteToPostgres, replicateRows, type FillReport } from './bulk-fill'
import { sampleQueries, screenEndpoints, type EndpointSamples } from './postgres-endpoints'
import { ms, percentile } from './stats'

if (process.env.BENCH_PG !== '1') {
  console.log('bench postgres: skipped (BENCH_PG=1 runs it: it fills two databases of BENCH_BUILDS builds, default 1,000,000)')
  process.exit(0)
}

const BUILDS = Number(process.env.BENCH_BUILDS ?? 1_000_000)
const TEMPLATE = Math.min(Number(process.env.BENCH_TEMPLATE ?? 1000), BUILDS)
const SPREAD = Math.max(1, Math.round(10_000 / TEMPLATE))
// BENCH_FILL=sqlite fills SQLite only and stops (PostgreSQL is filled from it).
const fillOnly = process.env.BENCH_FILL
const COPIES = Math.max(0, Math.round(BUILDS / TEMPLATE) - 1)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 150)
const kept = process.env.BENCH_DATA_DIR
const root = kept ?? mkdtempSync(join(tmpdir(), 'provenance-bench-pg-'))
mkdirSync(root, { recursive: true })
// The cluster's files belong to the `postgres` user, which must be able to reach them.
chmodSync(root, 0o755)
const load = () => loadavg().map((value) => value.toFixed(1)).join(' ')
const config = demoConfig()

/** The tables a fill reports, the rest (settings, log, alerts) being a few rows. */
const REPORTED = new Set(['documents', 'builds', 'subjects', 'rebuilds', 'deployments'])
type Marker = { builds: number; template: number; ingestSeconds: number; copySeconds: number; rows: Record<string, number> }
const markerFile = (dir: string) => join(dir, 'bench-filled.json')
const readMarker = (dir: string): Marker | null => (existsSync(markerFile(dir)) ? (JSON.parse(readFileSync(markerFile(dir), 'utf8')) as Marker) : null)

/** The template through the real code path: signed provenance, rebuild verdicts, deployments, the alert rules. */
async function ingestTemplate(store: Store, appConfig: Config): Promise<number> {
  const started = performance.now()
  const builds = demoBuilds(TEMPLATE, 1000)
  const rebuilds = demoRebuilds(builds, 7)
  for (const lines of [builds.map((build) => JSON.stringify(demoEnvelope(build))), rebuilds.map((rebuild) => JSON.stringify(demoRebuildEnvelope(rebuild)))]) {
    for (let offset = 0; offset < lines.length; offset += 500) {
      const result = await ingestBody(store, Buffer.from(lines.slice(offset, offset + 500).join('\n')), 'application/x-ndjson', ingestContext(appConfig))
      if (!result.ok) throw new Error(result.error.message)
    }
  }
  await seedDemoDeployments(store, appConfig, { builds, rebuilds }, (statement) => signEnvelope(statement, demoKeys().ed25519))
  await alertEngine(store, appConfig, Date.now).catchUp()
  return (performance.now() - started) / 1000
}

/** Copies are as evaluated as their template: the rules' watermark moves past them, as on a server that kept up. */
async function markEvaluated(store: Store, latestSeq: number) {
  await store.settings.set('alerts.seq', String(latestSeq))
}

const describeFill = (engine: string, marker: Marker) =>
  `${engine}: ${marker.builds.toLocaleString('en')} builds; ${marker.ingestSeconds > 0 ? `template of ${marker.template.toLocaleString('en')} ingested in ${marker.ingestSeconds.toFixed(0)} s, copied` : 'loaded from SQLite'} in ${marker.copySeconds.toFixed(0)} s (${Object.entries(marker.rows)
    .filter(([table]) => REPORTED.has(table))
    .map(([table, count]) => `${count.toLocaleString('en')} ${table}`)
    .join(', ')})`

function checkSize(marker: Marker, engine: string) {
  if (marker.builds !== TEMPLATE * (COPIES + 1)) throw new Error(`${engine} in ${root} holds ${marker.builds} builds, not ${TEMPLATE * (COPIES + 1)}: use another BENCH_DATA_DIR or BENCH_BUILDS=${marker.builds}`)
}

// SQLite: filled once, then read.
const sqliteDir = join(root, 'sqlite')
mkdirSync(sqliteDir, { recursive: true })
let sqliteMarker = readMarker(sqliteDir)
console.log(`bench postgres: ${BUILDS.toLocaleString('en')} builds in ${root}, Node ${process.version}, load average ${load()}`)

/** Measured at 100,000 builds: 2.7 GiB per engine (docs/deploy.md); a fill needs that plus room for indexes built after. */
const BYTES_PER_BUILD = (3 * 2 ** 30) / 100_000
{
  const engines = (sqliteMarker === null ? 1 : 0) + (fillOnly === 'sqlite' || readMarker(join(root, 'postgres', 'bench')) !== null ? 0 : 1)
  const needed = engines * BUILDS * BYTES_PER_BUILD
  const { bavail, bsize } = statfsSync(root)
  if (needed > bavail * bsize) {
    console.error(`bench postgres: filling ${engines} engine(s) with ${BUILDS.toLocaleString('en')} builds needs about ${(needed / 2 ** 30).toFixed(0)} GiB; ${root} has ${((bavail * bsize) / 2 ** 30).toFixed(0)} GiB free. Use a BENCH_DATA_DIR on a larger disk or fewer BENCH_BUILDS.`)
    process.exit(1)
  }
}
if (sqliteMarker === null) {
  const store = await openStore({ dataDir: sqliteDir, catchUpLog: false })
  const ingestSeconds = await ingestTemplate(store, config)
  await store.close()
  const copied: FillReport = replicateRows(join(sqliteDir, 'provenance.db'), COPIES, { spread: SPREAD })
  const reopened = await openStore({ dataDir: sqliteDir, catchUpLog: false })
  const db = new SqliteDatabase(join(sqliteDir, 'provenance.db'), { readonly: true })
  await markEvaluated(reopened, db.prepare<[], { seq: number }>('select max(seq) as seq from documents').get()?.seq ?? 0)
  db.close()
  await reopened.close()
  sqliteMarker = { builds: TEMPLATE * (COPIES + 1), template: TEMPLATE, ingestSeconds, copySeconds: copied.seconds, rows: copied.rows }
  writeFileSync(markerFile(sqliteDir), JSON.stringify(sqliteMarker))
  console.log(`filled ${describeFill('SQLite', sqliteMarker)}; load average ${load()}`)
}
checkSize(sqliteMarker, 'SQLite')
if (fillOnly === 'sqlite') process.exit(0)

// PostgreSQL: a cluster kept beside the SQLite file, started for the run and shut down after it, loaded from SQLite.
const pgDir = join(root, 'postgres')
const cluster = await startPgCluster({ dir: pgDir })
const pgMarkerDir = join(pgDir, 'bench')
mkdirSync(pgMarkerDir, { recursive: true })
let pgMarker = readMarker(pgMarkerDir)
const pool = { max: 10 }
// The SQLite store's log key: the log's checkpoints are copied with it, and a server refuses any other key.
const pgStoreOptions = { databaseUrl: cluster.url, dataDir: sqliteDir, catchUpLog: false, pool }
if (pgMarker === null) {
  // An empty database brought to the current schema by the store's own migrations, then the rows.
  await (await openStore(pgStoreOptions)).close()
  const copied = await copySqliteToPostgres(join(sqliteDir, 'provenance.db'), cluster.url, join(cluster.bin, 'psql'))
  const reopened = await openStore(pgStoreOptions)
  const client = new pg.Client({ connectionString: cluster.url })
  await client.connect()
  const seq = Number((await client.query<{ seq: string }>('select max(seq) as seq from documents')).rows[0]?.seq ?? 0)
  await client.end()
  await markEvaluated(reopened, seq)
  await reopened.close()
  pgMarker = { builds: sqliteMarker.builds, template: TEMPLATE, ingestSeconds: 0, copySeconds: copied.seconds, rows: copied.rows }
  writeFileSync(markerFile(pgMarkerDir), JSON.stringify(pgMarker))
  console.log(`filled PostgreSQL from SQLite with COPY in ${copied.seconds.toFixed(0)} s; load average ${load()}`)
}
checkSize(pgMarker, 'PostgreSQL')

// Sizes: the SQLite file with its WAL; the PostgreSQL database with its indexes and TOAST.
const sqliteBytes = ['provenance.db', 'provenance.db-wal'].reduce((sum, file) => sum + (existsSync(join(sqliteDir, file)) ? statSync(join(sqliteDir, file)).size : 0), 0)
const admin = new pg.Client({ connectionString: cluster.url })
await admin.connect()
const pgBytes = Number((await admin.query<{ size: string }>('select pg_database_size(current_database()) as size')).rows[0]?.size ?? 0)

// Samples from each store: the same queries, so each engine is measured on its own rows.
const sqliteReader = new SqliteDatabase(join(sqliteDir, 'provenance.db'), { readonly: true })
const sqliteRows = (text: string) => sqliteReader.prepare(text).all() as Record<string, string | null>[]
const pgRows = async (text: string) => (await admin.query<Record<string, string | null>>(text)).rows
async function samplesOf(rows: (text: string) => Record<string, string | null>[] | Promise<Record<string, string | null>[]>, app: ReturnType<typeof createApp>): Promise<EndpointSamples> {
  const values = async (text: string) => (await rows(text)).flatMap((row) => (typeof row.value === 'string' ? [row.value] : []))
  const builds = (await rows(sampleQueries.builds)).map((row) => ({ id: String(row.id), commit: row.commit ?? null, digest: row.digest ?? null }))
  let cursor: string | null = null
  let deepest: string | null = null
  for (let page = 0; page < 20; page++) {
    const response = await app.request(`/api/v1/builds?limit=100${cursor ? `&cursor=${cursor}` : ''}`)
    cursor = BuildPage.parse(await response.json()).nextCursor
    if (cursor === null) break
    deepest = cursor
  }
  return {
    builds,
    rebuilt: await values(sampleQueries.rebuilt),
    deployments: await values(sampleQueries.deployments),
    documents: await values(sampleQueries.documents),
    alerts: await values(sampleQueries.alerts),
    deepCursor: deepest,
  }
}

const sqliteStore = await openStore({ dataDir: sqliteDir, catchUpLog: false })
const pgStore = await openStore(pgStoreOptions)
const engines = [
  { name: 'SQLite', app: createApp({ store: sqliteStore, config, version: 'bench', demo: false }) },
  { name: 'PostgreSQL', app: createApp({ store: pgStore, config, version: 'bench', demo: false }) },
]
const samples = [await samplesOf(sqliteRows, engines[0]!.app), await samplesOf(pgRows, engines[1]!.app)]
sqliteReader.close()
const lists = samples.map((sample) => screenEndpoints(sample))

console.log(describeFill('SQLite', sqliteMarker))
console.log(describeFill('PostgreSQL', pgMarker))
const perHundredThousand = (bytes: number, builds: number) => `${((bytes / builds) * 100_000 / 2 ** 20).toFixed(0)} MiB`
console.log(
  `database size: SQLite ${(sqliteBytes / 2 ** 30).toFixed(2)} GiB (${perHundredThousand(sqliteBytes, sqliteMarker.builds)} per 100,000 builds), PostgreSQL ${(pgBytes / 2 ** 30).toFixed(2)} GiB (${perHundredThousand(pgBytes, pgMarker.builds)} per 100,000 builds, indexes and TOAST included)`,
)
console.log(`in-process HTTP handlers, ${ROUNDS} requests per endpoint and engine after 10 warm-up, the engines alternating request by request; load average ${load()}`)
const header = `${'screen'.padEnd(16)}${'endpoint'.padEnd(30)}${'SQLite p50'.padStart(12)}${'p95'.padStart(10)}${'PostgreSQL p50'.padStart(16)}${'p95'.padStart(10)}`
console.log(header)
console.log('-'.repeat(header.length))
const slowest = [0, 0]
const endpointCount = lists[0]?.length ?? 0
for (let index = 0; index < endpointCount; index++) {
  const times: number[][] = [[], []]
  let label = ''
  for (let round = 0; round < ROUNDS + 10; round++) {
    for (const [engineIndex, engine] of engines.entries()) {
      const endpoint = lists[engineIndex]?.[index]
      if (endpoint === undefined) continue
      const [screen, name, path] = endpoint
      label = `${screen.padEnd(16)}${name.padEnd(30)}`
      const url = path()
      const t0 = performance.now()
      const response = await engine.app.request(url)
      await response.arrayBuffer()
      const elapsed = performance.now() - t0
      if (response.status !== 200) throw new Error(`${engine.name}: ${url} answered ${response.status}`)
      if (round >= 10) times[engineIndex]?.push(elapsed)
    }
  }
  const cells = times.map((sample, engineIndex) => {
    const p95 = percentile(sample, 95)
    slowest[engineIndex] = Math.max(slowest[engineIndex] ?? 0, p95)
    return `${ms(percentile(sample, 50)).padStart(engineIndex === 0 ? 12 : 16)}${ms(p95).padStart(10)}`
  })
  console.log(`${label}${cells.join('')}`)
}
console.log(`worst p95: SQLite ${ms(slowest[0] ?? 0)}, PostgreSQL ${ms(slowest[1] ?? 0)} (goal < 100 ms at 1,000,000 builds); load average now ${load()}`)

await admin.end()
await sqliteStore.close()
await pgStore.close()
await cluster.stop()
if (kept === undefined) rmSync(root, { recursive: true, force: true })
else console.log(`kept both databases in ${root} (BENCH_DATA_DIR)`)
