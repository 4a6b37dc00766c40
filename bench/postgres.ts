/**
 * `npm run bench` (PostgreSQL leg, only with BENCH_PG=1): the endpoints behind every screen on SQLite and on
 * PostgreSQL side by side, with BENCH_BUILDS builds (default 1,000,000) and their subjects, signatures, rebuild
 * verdicts and deployments in the demo's proportions; and each database's size per 100,000 builds.
 *
 * Filling (bench/bulk-fill.ts): a template of min(BENCH_TEMPLATE, BENCH_BUILDS) demo builds (default 1,000) goes
 * through the real ingest path into SQLite (signed provenance, the demo's rebuild verdicts, its deployments, the
 * alert rules) in <dir>/template. SQLite starts from a copy of that file, PostgreSQL from the template loaded with
 * COPY; each engine then copies the template's rows inside the database (INSERT … SELECT per copy and table) with
 * keys rewritten the same way and times shifted back per copy, so both engines hold the same rows. The demo's 121
 * days hold 10,000 builds' worth of copies (83 builds a day), so a million builds reach back 33 years and times
 * stay after 1970. SQLite fills alone (no journal, no foreign-key checks, its indexes kept and its triggers
 * firing, so every counter is kept as ingest keeps it); PostgreSQL fills with two connections as a replica
 * (no per-row triggers or foreign-key checks), counts what its triggers keep again from the rows after, and
 * builds its secondary indexes after. Each step's time and CPU is printed. After a fill each store is opened
 * normally, so migrations newer than the template run on it (and backfill what they add) as on any database.
 *
 * The Merkle log holds the template's documents only: copies get no log index and are not appended (the stores
 * are opened with the log's catch-up off; a server started on a filled store with it on would append every copy
 * first), so the log's size and checkpoints are the template's: a filled store is for measuring reads, not a
 * record to verify. The copies' raw bytes are their template's, so a copy's bytes do not hash to its id; nothing measured here
 * hashes them.
 *
 * BENCH_DATA_DIR keeps the databases (the template and SQLite in <dir>/template and <dir>/sqlite, a PostgreSQL 15
 * cluster in <dir>/postgres, which the `postgres` user must be able to reach: not under /root) so the fill runs
 * once and later runs only measure; without it all are temporary. BENCH_ENGINES=sqlite or =postgres fills and
 * measures one engine only (a million builds need about 28 GiB per engine); BENCH_FILL=1 fills and exits.
 * BENCH_ROUNDS sets requests per endpoint and engine (default 150); BENCH_TEMPLATE the template's size. Run fills
 * under `nice`: a million builds take long on a shared machine.
 */
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, statfsSync, writeFileSync } from 'node:fs'
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
import { copySqliteToPostgres, replicatePostgres, replicateRows, type FillReport } from './bulk-fill'
import { sampleQueries, screenEndpoints, type EndpointSamples } from './postgres-endpoints'
import { ms, percentile } from './stats'

if (process.env.BENCH_PG !== '1') {
  console.log('bench postgres: skipped (BENCH_PG=1 runs it: it fills two databases of BENCH_BUILDS builds, default 1,000,000)')
  process.exit(0)
}

const BUILDS = Number(process.env.BENCH_BUILDS ?? 1_000_000)
const TEMPLATE = Math.min(Number(process.env.BENCH_TEMPLATE ?? 1000), BUILDS)
const SPREAD = Math.max(1, Math.round(10_000 / TEMPLATE))
// BENCH_FILL set: fill the chosen engines and stop.
const fillOnly = process.env.BENCH_FILL !== undefined && process.env.BENCH_FILL !== ''
const chosen = process.env.BENCH_ENGINES ?? 'both'
if (!['both', 'sqlite', 'postgres'].includes(chosen)) throw new Error(`BENCH_ENGINES must be sqlite, postgres or both, not "${chosen}"`)
const useSqlite = chosen !== 'postgres'
const usePostgres = chosen !== 'sqlite'
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
type Marker = { builds: number; template: number; ingestSeconds: number; copySeconds: number; rows: Record<string, number>; load?: string }
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
  `${engine}: ${marker.builds.toLocaleString('en')} builds; template of ${marker.template.toLocaleString('en')} copied in ${marker.copySeconds.toFixed(0)} s${marker.load === undefined ? '' : ` (load average after: ${marker.load})`} (${Object.entries(marker.rows)
    .filter(([table]) => REPORTED.has(table))
    .map(([table, count]) => `${count.toLocaleString('en')} ${table}`)
    .join(', ')})`

const describePhases = (report: FillReport) =>
  `${Object.entries(report.phases)
    .map(([phase, { seconds, cpuSeconds }]) => `${phase} ${seconds.toFixed(1)} s${cpuSeconds === null ? '' : ` (CPU ${cpuSeconds.toFixed(1)})`}`)
    .join(', ')}; ${report.seconds.toFixed(0)} s in all (${(report.rows.builds === undefined ? 0 : report.rows.builds / report.seconds).toFixed(0)} builds/s)${report.cpuSeconds === null ? '' : `, ${report.cpuSeconds.toFixed(0)} s of CPU`}, load average after: ${load()}`

function checkSize(marker: Marker, engine: string) {
  if (marker.builds !== TEMPLATE * (COPIES + 1)) throw new Error(`${engine} in ${root} holds ${marker.builds} builds, not ${TEMPLATE * (COPIES + 1)}: use another BENCH_DATA_DIR or BENCH_BUILDS=${marker.builds}`)
}

// The template: ingested once, kept, and the start of each engine's fill.
const templateDir = join(root, 'template')
mkdirSync(templateDir, { recursive: true })
const sqliteDir = join(root, 'sqlite')
mkdirSync(sqliteDir, { recursive: true })
const pgDir = join(root, 'postgres')
const pgMarkerDir = join(pgDir, 'bench')
let sqliteMarker = useSqlite ? readMarker(sqliteDir) : null
console.log(`bench postgres: ${BUILDS.toLocaleString('en')} builds (${chosen === 'both' ? 'SQLite and PostgreSQL' : chosen}) in ${root}, Node ${process.version}, load average ${load()}`)

/** Measured at 100,000 builds: 2.7 GiB per engine (docs/deploy.md); a fill needs that plus room for indexes built after. */
const BYTES_PER_BUILD = (3 * 2 ** 30) / 100_000
{
  const engines = (useSqlite && sqliteMarker === null ? 1 : 0) + (usePostgres && readMarker(pgMarkerDir) === null ? 1 : 0)
  const needed = engines * BUILDS * BYTES_PER_BUILD
  const { bavail, bsize } = statfsSync(root)
  if (needed > bavail * bsize) {
    console.error(`bench postgres: filling ${engines} engine(s) with ${BUILDS.toLocaleString('en')} builds needs about ${(needed / 2 ** 30).toFixed(0)} GiB; ${root} has ${((bavail * bsize) / 2 ** 30).toFixed(0)} GiB free. Use a BENCH_DATA_DIR on a larger disk, fewer BENCH_BUILDS, or one engine at a time (BENCH_ENGINES).`)
    process.exit(1)
  }
}
let templateMarker = readMarker(templateDir)
if (templateMarker === null) {
  const store = await openStore({ dataDir: templateDir, catchUpLog: false })
  const ingestSeconds = await ingestTemplate(store, config)
  await store.close()
  // One file, no WAL beside it, so a plain file copy is the whole store.
  const db = new SqliteDatabase(join(templateDir, 'provenance.db'))
  db.pragma('wal_checkpoint(TRUNCATE)')
  const documents = db.prepare<[], { count: number }>('select count(*) as count from documents').get()?.count ?? 0
  db.close()
  templateMarker = { builds: TEMPLATE, template: TEMPLATE, ingestSeconds, copySeconds: 0, rows: { documents } }
  writeFileSync(markerFile(templateDir), JSON.stringify(templateMarker))
  console.log(`template of ${TEMPLATE.toLocaleString('en')} builds ingested in ${ingestSeconds.toFixed(0)} s; load average ${load()}`)
}
if (templateMarker.template !== TEMPLATE) throw new Error(`the template in ${templateDir} has ${templateMarker.template} builds, not ${TEMPLATE}: use another BENCH_DATA_DIR or BENCH_TEMPLATE=${templateMarker.template}`)
{
  // A template kept from an older run is brought to the current schema (and its counters backfilled) before copying.
  await (await openStore({ dataDir: templateDir, catchUpLog: false })).close()
  const db = new SqliteDatabase(join(templateDir, 'provenance.db'))
  db.pragma('wal_checkpoint(TRUNCATE)')
  db.close()
}

// SQLite: a copy of the template, filled once, then read.
if (useSqlite && sqliteMarker === null) {
  for (const file of ['provenance.db', 'log-signing-key.pem']) copyFileSync(join(templateDir, file), join(sqliteDir, file))
  for (const file of ['provenance.db-wal', 'provenance.db-shm']) rmSync(join(sqliteDir, file), { force: true })
  const copied: FillReport = replicateRows(join(sqliteDir, 'provenance.db'), COPIES, { spread: SPREAD, alone: true })
  console.log(`SQLite fill steps: ${describePhases(copied)}`)
  const reopened = await openStore({ dataDir: sqliteDir, catchUpLog: false })
  const db = new SqliteDatabase(join(sqliteDir, 'provenance.db'), { readonly: true })
  await markEvaluated(reopened, db.prepare<[], { seq: number }>('select max(seq) as seq from documents').get()?.seq ?? 0)
  db.close()
  await reopened.close()
  sqliteMarker = { builds: TEMPLATE * (COPIES + 1), template: TEMPLATE, ingestSeconds: templateMarker.ingestSeconds, copySeconds: copied.seconds, rows: copied.rows, load: load() }
  writeFileSync(markerFile(sqliteDir), JSON.stringify(sqliteMarker))
  console.log(`filled ${describeFill('SQLite', sqliteMarker)}`)
}
if (sqliteMarker !== null) checkSize(sqliteMarker, 'SQLite')

// PostgreSQL: a cluster kept beside the SQLite file, started for the run and shut down after it, filled from the template.
const cluster = usePostgres && !(fillOnly && readMarker(pgMarkerDir) !== null) ? await startPgCluster({ dir: pgDir }) : null
let pgMarker: Marker | null = null
const pool = { max: 10 }
// The template's log key: the log's checkpoints are copied with it, and a server refuses any other key.
const pgStoreOptions = cluster === null ? null : { databaseUrl: cluster.url, dataDir: templateDir, catchUpLog: false, pool }
if (cluster !== null && pgStoreOptions !== null) {
  mkdirSync(pgMarkerDir, { recursive: true })
  pgMarker = readMarker(pgMarkerDir)
  if (pgMarker === null) {
    // An empty database brought to the current schema by the store's own migrations, then the template's rows, then the copies.
    await (await openStore(pgStoreOptions)).close()
    const loaded = await copySqliteToPostgres(join(templateDir, 'provenance.db'), cluster.url, join(cluster.bin, 'psql'))
    const copied = await replicatePostgres(cluster.url, COPIES, { spread: SPREAD })
    console.log(`PostgreSQL fill steps: template loaded in ${loaded.seconds.toFixed(1)} s, ${describePhases(copied)}`)
    const reopened = await openStore(pgStoreOptions)
    const client = new pg.Client({ connectionString: cluster.url })
    await client.connect()
    const seq = Number((await client.query<{ seq: string }>('select max(seq) as seq from documents')).rows[0]?.seq ?? 0)
    await client.end()
    await markEvaluated(reopened, seq)
    await reopened.close()
    pgMarker = { builds: TEMPLATE * (COPIES + 1), template: TEMPLATE, ingestSeconds: templateMarker.ingestSeconds, copySeconds: loaded.seconds + copied.seconds, rows: copied.rows, load: load() }
    writeFileSync(markerFile(pgMarkerDir), JSON.stringify(pgMarker))
    console.log(`filled ${describeFill('PostgreSQL', pgMarker)}`)
  }
  checkSize(pgMarker, 'PostgreSQL')
}
if (fillOnly) {
  await cluster?.stop()
  process.exit(0)
}

// Sizes: the SQLite file with its WAL; the PostgreSQL database with its indexes and TOAST.
const sqliteBytes = ['provenance.db', 'provenance.db-wal'].reduce((sum, file) => sum + (existsSync(join(sqliteDir, file)) ? statSync(join(sqliteDir, file)).size : 0), 0)
const admin = cluster === null ? null : new pg.Client({ connectionString: cluster.url })
await admin?.connect()
const pgBytes = admin === null ? 0 : Number((await admin.query<{ size: string }>('select pg_database_size(current_database()) as size')).rows[0]?.size ?? 0)

type Rows = Record<string, string | null>[]
// Samples from each store: the same queries, so each engine is measured on its own rows.
async function samplesOf(rows: (text: string) => Rows | Promise<Rows>, app: ReturnType<typeof createApp>): Promise<EndpointSamples> {
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

type Engine = { name: string; app: ReturnType<typeof createApp>; store: Store; endpoints: ReturnType<typeof screenEndpoints> }
/** Both columns always printed; an engine not chosen has none. */
const engines: (Engine | null)[] = [null, null]
if (useSqlite && sqliteMarker !== null) {
  const store = await openStore({ dataDir: sqliteDir, catchUpLog: false })
  const app = createApp({ store, config, version: 'bench', demo: false })
  const reader = new SqliteDatabase(join(sqliteDir, 'provenance.db'), { readonly: true })
  const samples = await samplesOf((text) => reader.prepare(text).all() as Rows, app)
  reader.close()
  engines[0] = { name: 'SQLite', app, store, endpoints: screenEndpoints(samples) }
  console.log(describeFill('SQLite', sqliteMarker))
}
if (pgStoreOptions !== null && admin !== null && pgMarker !== null) {
  const store = await openStore(pgStoreOptions)
  const app = createApp({ store, config, version: 'bench', demo: false })
  const samples = await samplesOf(async (text) => (await admin.query<Record<string, string | null>>(text)).rows, app)
  engines[1] = { name: 'PostgreSQL', app, store, endpoints: screenEndpoints(samples) }
  console.log(describeFill('PostgreSQL', pgMarker))
}

const perHundredThousand = (bytes: number, builds: number) => `${((bytes / builds) * 100_000 / 2 ** 20).toFixed(0)} MiB`
console.log(
  `database size: ${[
    sqliteMarker !== null && engines[0] !== null ? `SQLite ${(sqliteBytes / 2 ** 30).toFixed(2)} GiB (${perHundredThousand(sqliteBytes, sqliteMarker.builds)} per 100,000 builds)` : null,
    pgMarker !== null ? `PostgreSQL ${(pgBytes / 2 ** 30).toFixed(2)} GiB (${perHundredThousand(pgBytes, pgMarker.builds)} per 100,000 builds, indexes and TOAST included)` : null,
  ]
    .filter((part) => part !== null)
    .join(', ')}`,
)
console.log(`in-process HTTP handlers, ${ROUNDS} requests per endpoint and engine after 10 warm-up, the engines alternating request by request; load average ${load()}`)
const header = `${'screen'.padEnd(16)}${'endpoint'.padEnd(30)}${'SQLite p50'.padStart(12)}${'p95'.padStart(10)}${'PostgreSQL p50'.padStart(16)}${'p95'.padStart(10)}`
console.log(header)
console.log('-'.repeat(header.length))
const slowest = [0, 0]
const endpointCount = engines.find((engine) => engine !== null)?.endpoints.length ?? 0
for (let index = 0; index < endpointCount; index++) {
  const times: number[][] = [[], []]
  let label = ''
  for (let round = 0; round < ROUNDS + 10; round++) {
    for (const [engineIndex, engine] of engines.entries()) {
      const endpoint = engine?.endpoints[index]
      if (engine === null || endpoint === undefined) continue
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
    const width = engineIndex === 0 ? 12 : 16
    if (sample.length === 0) return `${'-'.padStart(width)}${'-'.padStart(10)}`
    const p95 = percentile(sample, 95)
    slowest[engineIndex] = Math.max(slowest[engineIndex] ?? 0, p95)
    return `${ms(percentile(sample, 50)).padStart(width)}${ms(p95).padStart(10)}`
  })
  console.log(`${label}${cells.join('')}`)
}
console.log(`worst p95: ${engines.flatMap((engine, index) => (engine === null ? [] : [`${engine.name} ${ms(slowest[index] ?? 0)}`])).join(', ')} (goal < 100 ms at 1,000,000 builds); load average now ${load()}`)

await admin?.end()
for (const engine of engines) await engine?.store.close()
await cluster?.stop()
if (kept === undefined) rmSync(root, { recursive: true, force: true })
else console.log(`kept the databases in ${root} (BENCH_DATA_DIR)`)
