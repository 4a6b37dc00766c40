import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import SqliteDatabase from 'better-sqlite3'
import { Kysely, Migrator, PostgresDialect } from 'kysely'
import pg from 'pg'
import { alertRepository } from '../alerts/store'
import { artifactRepository } from '../artifacts/store'
import { buildRepository } from '../builds/store'
import { deploymentRepository } from '../deployments/store'
import { documentRepository } from '../documents/store'
import { gateRepository } from '../gate/store'
import { lineageRepository } from '../lineage/store'
import { coordinationRepository } from '../coordination/store'
import { loadOrCreateLogKey, type LogKey } from '../log/checkpoint'
import { claimLogKey, logRepository } from '../log/store'
import { rebuildRepository } from '../rebuilds/store'
import { searchRepository } from '../search/store'
import { signatureRepository } from '../signatures/store'
import { reportRepository } from '../reports/store'
import { sourceRepository } from '../sources/store'
import { telemetryRepository } from '../telemetry/store'
import type { Db, StoreKind } from './db'
import { migrationProvider } from './migrations'
import type { Database } from './schema'
import { settingsRepository } from './settings'
import { withStatementCache } from './statement-cache'
import { DurableSqliteDialect } from './durable-sqlite'
import type { Store } from './types'

export type OpenStoreOptions = {
  /** A `postgres://` or `postgresql://` URL; when set the store uses PostgreSQL, else SQLite. */
  databaseUrl?: string
  /** Where the SQLite file `provenance.db` lives; created when missing. The log's signing key is kept here too. */
  dataDir: string
  /** Signs the log's checkpoints; by default the key in `dataDir`, generated on first start. */
  logKey?: LogKey
  /** Append documents stored outside the log on open (default true); verify-log turns it off to see them. */
  catchUpLog?: boolean
  /** Refuse a log key other than the one the log was signed with (default true); verify-log reports it instead. */
  checkLogKey?: boolean
  /** PostgreSQL connection pool (docs/deploy.md): connections per server, and how long a request waits for one. */
  pool?: PoolOptions
}

export type PoolOptions = { max?: number; connectionTimeoutMs?: number }

/** Opens the store and brings its schema up to date before returning. */
export async function openStore(options: OpenStoreOptions): Promise<Store> {
  const { kind, db } = options.databaseUrl ? openPostgres(options.databaseUrl, options.pool) : openSqlite(options.dataDir)
  const logKey = options.logKey ?? loadOrCreateLogKey(options.dataDir)
  try {
    await migrate(kind, db)
    // Before anything is signed: a server with another key than the log's earlier checkpoints must not start.
    if (options.checkLogKey !== false) await claimLogKey(db, logKey)
  } catch (error) {
    await db.destroy()
    throw error
  }
  const store = composeStore(kind, db, logKey, options.dataDir)
  if (options.catchUpLog !== false) await store.log.catchUp()
  return store
}

/** One repository a resource over the same connection. */
function composeStore(kind: StoreKind, db: Db, logKey: LogKey, dataDir: string): Store {
  return {
    kind,
    documents: documentRepository(db, kind, logKey),
    builds: buildRepository(db),
    artifacts: artifactRepository(db, kind),
    signatures: signatureRepository(db),
    rebuilds: rebuildRepository(db),
    search: searchRepository(db, kind),
    log: logRepository(db, kind, logKey),
    telemetry: telemetryRepository(db, kind),
    settings: settingsRepository(db),
    deployments: deploymentRepository(db, kind),
    lineage: lineageRepository(db, kind),
    alerts: alertRepository(db),
    sources: sourceRepository(db),
    coordination: coordinationRepository(db, kind),
    reports: reportRepository(db, logKey, join(dataDir, 'reports')),
    gates: gateRepository(db),
    close: () => db.destroy(),
  }
}

function openSqlite(dataDir: string): { kind: StoreKind; db: Kysely<Database> } {
  mkdirSync(dataDir, { recursive: true })
  const database = new SqliteDatabase(join(dataDir, 'provenance.db'))
  // WAL lets readers run beside the one writer. Every commit is synced to disk before it returns, as ingest
  // promises that a resolved batch is durable: by the dialect, off the event loop (server/store/durable-sqlite.ts).
  database.pragma('journal_mode = WAL')
  database.pragma('foreign_keys = ON')
  // SQLite checkpoints the WAL into the database inside the COMMIT that passes this many pages, on the event loop,
  // with two disk syncs. At its default (1,000 pages, a few dozen one-document ingest commits) those checkpoints held
  // the event loop for most of the time HTTP ingest spent committing; a checkpoint copies each page once however
  // often it changed, so ten times fewer of them write far less (about 40 MB of WAL between them at most).
  database.pragma('wal_autocheckpoint = 10000')
  // Temporary tables and statement journals (a multi-row insert's) in memory: on disk each cost a file created,
  // written and removed on the event loop, and they never need to survive anything.
  database.pragma('temp_store = MEMORY')
  // Another process (a second server, a CLI) may hold the write lock briefly; wait instead of failing.
  database.pragma('busy_timeout = 5000')
  return { kind: 'sqlite', db: new Kysely<Database>({ dialect: new DurableSqliteDialect(database, withStatementCache(database)) }) }
}

function openPostgres(url: string, options: PoolOptions = {}): { kind: StoreKind; db: Kysely<Database> } {
  if (!/^postgres(ql)?:\/\//.test(url)) {
    throw new Error(`DATABASE_URL must start with postgres:// or postgresql://; got "${url.split(':')[0]}:…"`)
  }
  const pool = new pg.Pool({
    connectionString: url,
    types: bigintAsNumber(),
    max: options.max ?? 10,
    // Without a limit a request waits forever for a connection while PostgreSQL is down; with one it fails
    // (503 from the API) and the next request tries a fresh connection.
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 5000,
  })
  // An idle pooled connection that dies (database restart, network cut) emits 'error' on the pool, and
  // an unhandled 'error' event would crash the server. The pool replaces the connection; queries in
  // flight still reject with their own error.
  pool.on('error', (error) => {
    console.error(`PostgreSQL: an idle connection failed and was dropped: ${error.message}`)
  })
  // A connection in use (a transaction between statements, a coordination lock held through a job) that
  // PostgreSQL ends emits 'error' on its client instead, which would crash the server just the same. Its work
  // fails on its own, and the pool drops the broken client when it comes back.
  pool.on('connect', (client) => {
    client.on('error', (error) => console.error(`PostgreSQL: a connection in use failed: ${error.message}`))
  })
  return { kind: 'postgres', db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }) }
}

/**
 * pg returns BIGINT (our times, and every count(*)) as a string because it may exceed 2^53. Ours never do
 * (milliseconds until year 287396), so parse to number, and fail loudly rather than round if one ever does.
 * Overridden per pool rather than with pg.types.setTypeParser so other pg users in the process are unaffected.
 */
function bigintAsNumber(): InstanceType<typeof pg.TypeOverrides> {
  const types = new pg.TypeOverrides()
  types.setTypeParser(pg.types.builtins.INT8, (text: string) => {
    const value = Number(text)
    if (!Number.isSafeInteger(value)) throw new RangeError(`BIGINT ${text} does not fit a JavaScript number`)
    return value
  })
  return types
}

async function migrate(kind: StoreKind, db: Kysely<Database>): Promise<void> {
  // The Migrator takes a lock (an advisory lock on PostgreSQL) so servers starting together migrate once.
  // Unordered: numbers are handed out ahead and migrations land out of numeric order (0014–0026 did), so a database
  // that ran a later one first must still take an earlier one that arrives after it. That is safe because each
  // migration creates only its own tables, indexes and triggers and reads only tables of migrations that landed
  // before it (server/store/migrations.test.ts); a new one must keep to that.
  const migrator = new Migrator({ db, provider: migrationProvider(kind), allowUnorderedMigrations: true })
  const { error, results } = await migrator.migrateToLatest()
  if (error !== undefined) {
    const failed = results?.find((result) => result.status === 'Error')?.migrationName ?? 'unknown'
    throw new Error(`Database migration ${failed} failed: ${errorMessage(error)}`, { cause: error })
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
