import { createHash } from 'node:crypto'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import SqliteDatabase from 'better-sqlite3'
import { Kysely, Migrator, PostgresDialect, SqliteDialect, type Selectable, type Transaction } from 'kysely'
import pg from 'pg'
import { z } from 'zod'
import { BuildDetail, BuildPage, ProjectList, ResolvedDependency, type BuildQuery } from '../../src/contract/builds'
import { Sha256Hex, Verification, VerificationStatus, type Subject } from '../../src/contract/common'
import type { RebuildPage, RebuildQuery } from '../../src/contract/rebuilds'
import type { Sbom } from '../../src/contract/sboms'
import type { PipelineList, PipelineQuery, PipelineRun } from '../../src/contract/telemetry'
import type { BuildNeighbours } from '../../src/contract/builds'
import type { MatrixQuery, RebuilderMatrix, ReproducibilityHistory, ReproducibilitySummary } from '../../src/contract/reproducibility'
import type { SearchResponse } from '../../src/contract/search'
import type { SignaturePage, SignatureQuery } from '../../src/contract/signatures'
import type { BucketRange } from '../explore/buckets'
import type { TelemetryBatch, TelemetryIngestOutcome, TelemetryLookup } from '../telemetry/types'
import { loadOrCreateLogKey, signCheckpoint, type LogKey } from '../log/checkpoint'
import { appendLeaf, emptyRange, leafHash, parseRange, rootOf, serialiseRange, type CompactRange } from '../log/merkle'
import { decodeCursor, encodeCursor } from './cursor'
import { StoreQueryError } from './errors'
import { getSbomFor, insertExtras, listRebuilds } from './format-facts'
import { buildNeighbours, countSignature, subjectsOf, getArtifact, listSignatures, rebuilderMatrix, reproducibilityHistory, reproducibilitySummary, search, type ArtifactLookup } from './explore-store'
import { migrationProvider } from './migrations'
import { signerIdentity } from './signer'
import { getSetting, reverifyDocuments, setSetting, type Reverifier, type ReverifyOutcome } from './reverify-store'
import { findPipelineRun, ingestTelemetry, listPipelineRuns, lookupForBuild } from './telemetry-store'
import type { BuildsTable, Database, SubjectsTable } from './schema'
import type {
  BuildRecord,
  IngestItem,
  IngestOutcome,
  LogCheckpoint,
  LogEntry,
  Store,
  StoreKind,
  StoredDocument,
} from './types'

export type OpenStoreOptions = {
  /** A `postgres://` or `postgresql://` URL; when set the store uses PostgreSQL, else SQLite. */
  databaseUrl?: string
  /** Where the SQLite file `provenance.db` lives; created when missing. The log's signing key is kept here too. */
  dataDir: string
  /** Signs the log's checkpoints; by default the key in `dataDir`, generated on first start. */
  logKey?: LogKey
  /** Append documents stored outside the log on open (default true); verify-log turns it off to see them. */
  catchUpLog?: boolean
}

/** Opens the store and brings its schema up to date before returning. */
export async function openStore(options: OpenStoreOptions): Promise<Store> {
  const { kind, db } = options.databaseUrl ? openPostgres(options.databaseUrl) : openSqlite(options.dataDir)
  try {
    await migrate(kind, db)
  } catch (error) {
    await db.destroy()
    throw error
  }
  const store = new KyselyStore(kind, db, options.logKey ?? loadOrCreateLogKey(options.dataDir))
  if (options.catchUpLog !== false) await store.catchUpLog()
  return store
}

function openSqlite(dataDir: string): { kind: StoreKind; db: Kysely<Database> } {
  mkdirSync(dataDir, { recursive: true })
  const database = new SqliteDatabase(join(dataDir, 'provenance.db'))
  // WAL lets readers run beside the one writer. synchronous=FULL fsyncs the WAL on every commit: with
  // NORMAL a commit can be lost on power failure, and ingest promises that a resolved batch is durable.
  database.pragma('journal_mode = WAL')
  database.pragma('synchronous = FULL')
  database.pragma('foreign_keys = ON')
  // Another process (a second server, a CLI) may hold the write lock briefly; wait instead of failing.
  database.pragma('busy_timeout = 5000')
  return { kind: 'sqlite', db: new Kysely<Database>({ dialect: new SqliteDialect({ database }) }) }
}

function openPostgres(url: string): { kind: StoreKind; db: Kysely<Database> } {
  if (!/^postgres(ql)?:\/\//.test(url)) {
    throw new Error(`DATABASE_URL must start with postgres:// or postgresql://; got "${url.split(':')[0]}:…"`)
  }
  const pool = new pg.Pool({ connectionString: url, types: bigintAsNumber() })
  // An idle pooled connection that dies (database restart, network cut) emits 'error' on the pool, and
  // an unhandled 'error' event would crash the server. The pool replaces the connection; queries in
  // flight still reject with their own error.
  pool.on('error', (error) => {
    console.error(`PostgreSQL: an idle connection failed and was dropped: ${error.message}`)
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
  const migrator = new Migrator({ db, provider: migrationProvider(kind) })
  const { error, results } = await migrator.migrateToLatest()
  if (error !== undefined) {
    const failed = results?.find((result) => result.status === 'Error')?.migrationName ?? 'unknown'
    throw new Error(`Database migration ${failed} failed: ${errorMessage(error)}`, { cause: error })
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

/** PostgreSQL accepts 65535 bind parameters per statement, SQLite 32766; stay far below both. */
const SUBJECT_ROWS_PER_INSERT = 1000

class KyselyStore implements Store {
  readonly kind: StoreKind
  readonly #db: Kysely<Database>

  readonly #logKey: LogKey

  constructor(kind: StoreKind, db: Kysely<Database>, logKey: LogKey) {
    this.kind = kind
    this.#db = db
    this.#logKey = logKey
  }

  get logPublicKeyPem(): string {
    return this.#logKey.publicKeyPem
  }

  async ingest(items: IngestItem[]): Promise<IngestOutcome[]> {
    for (const item of items) checkItem(item)
    if (items.length === 0) return []
    return this.#db.transaction().execute(async (trx) => {
      const outcomes: IngestOutcome[] = []
      // Taking the log first serialises ingest transactions, so log order is commit order.
      const log = await lockLog(trx, this.kind)
      const sizeBefore = log.size
      for (const { document, build, extras } of items) {
        // ON CONFLICT DO NOTHING rather than "select, then insert": under concurrency a second writer's
        // insert waits for the first to commit and then inserts nothing, so one document is one record.
        const inserted = await trx
          .insertInto('documents')
          .values({
            id: document.id,
            raw: Buffer.from(document.raw.buffer, document.raw.byteOffset, document.raw.byteLength),
            size: document.raw.byteLength,
            format: document.format,
            payload_type: document.payloadType,
            status: document.verification.status,
            failed_check: document.verification.failedCheck,
            verification: JSON.stringify(document.verification),
            ingested_at: document.ingestedAt,
            log_index: log.size,
            signer: signerIdentity(document.verification),
            project: build?.project ?? null,
          })
          .onConflict((oc) => oc.column('id').doNothing())
          .returning('seq')
          .executeTakeFirst()

        if (inserted === undefined) {
          // Already stored (earlier, by a concurrent caller, or earlier in this batch): report what was
          // recorded then, since verification may have run against different trust material.
          const stored = await trx
            .selectFrom('documents')
            .leftJoin('builds', 'builds.document_id', 'documents.id')
            .select(['documents.verification', 'builds.id as build_id'])
            .where('documents.id', '=', document.id)
            .executeTakeFirstOrThrow()
          outcomes.push({
            id: document.id,
            created: false,
            verification: parseVerification(stored.verification),
            buildId: stored.build_id,
          })
          continue
        }

        log.range = appendLeaf(log.range, logLeaf(document.id))
        log.size = log.range.size
        if (build !== null) {
          await trx.insertInto('builds').values(buildRow(build)).execute()
          const rows = build.subjects.flatMap((subject, position) => subjectRows(build.id, position, subject, build.time))
          for (let start = 0; start < rows.length; start += SUBJECT_ROWS_PER_INSERT) {
            await trx
              .insertInto('subjects')
              .values(rows.slice(start, start + SUBJECT_ROWS_PER_INSERT))
              .execute()
          }
        }
        if (extras !== undefined) await insertExtras(trx, document, extras)
        await countSignature(trx, document.id, 1)
        outcomes.push({
          id: document.id,
          created: true,
          verification: document.verification,
          buildId: build?.id ?? null,
        })
      }
      if (log.size > sizeBefore) await saveLog(trx, log, this.#logKey)
      return outcomes
    })
  }

  /** Appends documents stored before the log existed, oldest first, so every document is in the tree. */
  async catchUpLog(): Promise<void> {
    for (;;) {
      const appended = await this.#db.transaction().execute(async (trx) => {
        const log = await lockLog(trx, this.kind)
        const rows = await trx.selectFrom('documents').select(['seq', 'id']).where('log_index', 'is', null).orderBy('seq').limit(5000).execute()
        for (const row of rows) {
          await trx.updateTable('documents').set({ log_index: log.size }).where('seq', '=', row.seq).execute()
          log.range = appendLeaf(log.range, logLeaf(row.id))
          log.size = log.range.size
        }
        if (rows.length > 0) await saveLog(trx, log, this.#logKey)
        return rows.length
      })
      if (appended === 0) return
    }
  }

  async logCheckpoint(): Promise<LogCheckpoint> {
    const row = await this.#db.selectFrom('checkpoints').selectAll().orderBy('size', 'desc').limit(1).executeTakeFirst()
    const checkpoint = row ?? { ...signCheckpointRow(this.#logKey, 0, rootOf(emptyRange())), created_at: 0 }
    return { origin: this.#logKey.name, size: checkpoint.size, rootHash: checkpoint.root_hash, note: checkpoint.note, publicKeyPem: this.#logKey.publicKeyPem }
  }

  async listCheckpoints(): Promise<{ size: number; rootHash: string; note: string }[]> {
    const rows = await this.#db.selectFrom('checkpoints').selectAll().orderBy('size').execute()
    return rows.map((row) => ({ size: row.size, rootHash: row.root_hash, note: row.note }))
  }

  async readLogEntries(fromIndex: number, limit: number): Promise<LogEntry[]> {
    const rows = await this.#db
      .selectFrom('documents')
      .select(['log_index', 'id', 'raw', 'seq'])
      .where('log_index', '>=', fromIndex)
      .orderBy('log_index')
      .limit(limit)
      .execute()
    return rows.map((row) => ({ index: row.log_index ?? -1, id: row.id, raw: Uint8Array.from(row.raw), seq: row.seq }))
  }

  async countUnloggedDocuments(): Promise<number> {
    const row = await this.#db.selectFrom('documents').select((eb) => eb.fn.countAll<number>().as('count')).where('log_index', 'is', null).executeTakeFirstOrThrow()
    return Number(row.count)
  }

  async getDocument(id: string): Promise<StoredDocument | null> {
    const row = await this.#db.selectFrom('documents').selectAll().where('id', '=', id).executeTakeFirst()
    if (row === undefined) return null
    return {
      seq: row.seq,
      id: row.id,
      // Copy out of the driver's Buffer so callers get a plain Uint8Array that owns its bytes.
      raw: Uint8Array.from(row.raw),
      format: row.format,
      payloadType: row.payload_type,
      verification: parseVerification(row.verification),
      ingestedAt: row.ingested_at,
    }
  }

  async listBuilds(query: BuildQuery): Promise<BuildPage> {
    const limit = Math.min(Math.max(Math.trunc(query.limit), 1), 500)
    const from = query.from === undefined ? undefined : parseInstant(query.from, 'from')
    const to = query.to === undefined ? undefined : parseInstant(query.to, 'to')
    const cursor = query.cursor === undefined ? undefined : decodeCursor(query.cursor)

    let select = this.#db.selectFrom('builds').selectAll()
    if (query.project !== undefined) select = select.where('project', '=', query.project)
    if (query.repo !== undefined) select = select.where('source_repo', '=', query.repo)
    if (query.status !== undefined) select = select.where('status', '=', query.status)
    if (from !== undefined) select = select.where('time', '>=', from)
    if (to !== undefined) select = select.where('time', '<', to)
    if (cursor !== undefined) {
      // A row comparison both engines turn into an index range: the next page starts strictly after
      // the last row, so rows with equal times are neither skipped nor repeated.
      select = select.where((eb) => eb(eb.refTuple('time', 'id'), '<', eb.tuple(cursor.time, cursor.id)))
    }
    // One extra row tells whether there is a next page without a count.
    const rows = await select.orderBy('time', 'desc').orderBy('id', 'desc').limit(limit + 1).execute()

    const page = rows.slice(0, limit)
    const subjects = await subjectsOf(this.#db, page.map((row) => row.id))
    const last = page.at(-1)
    return BuildPage.parse({
      items: page.map((row) => summary(row, subjects.get(row.id) ?? [])),
      nextCursor: rows.length > limit && last !== undefined ? encodeCursor({ time: last.time, id: last.id }) : null,
    })
  }

  async getBuild(id: string): Promise<BuildDetail | null> {
    const row = await this.#db
      .selectFrom('builds')
      .innerJoin('documents', 'documents.id', 'builds.document_id')
      .selectAll('builds')
      .select([
        'documents.format as document_format',
        'documents.payload_type as document_payload_type',
        'documents.size as document_size',
        'documents.ingested_at as document_ingested_at',
        'documents.verification as document_verification',
      ])
      .where('builds.id', '=', id)
      .executeTakeFirst()
    if (row === undefined) return null
    const subjects = await subjectsOf(this.#db, [row.id])
    // Parsing with the contract guarantees the HTTP layer never serves a shape the SPA would reject.
    return BuildDetail.parse({
      ...summary(row, subjects.get(row.id) ?? []),
      invocationId: row.invocation_id,
      predicateType: row.predicate_type,
      statementType: row.statement_type,
      slsaVersion: row.slsa_version,
      externalParameters: parseJsonOrUndefined(row.external_parameters),
      internalParameters: parseJsonOrUndefined(row.internal_parameters),
      resolvedDependencies: z.array(ResolvedDependency).parse(parseJson(row.resolved_dependencies)),
      verification: parseVerification(row.document_verification),
      document: {
        id: row.document_id,
        sha256: row.document_id,
        format: row.document_format,
        payloadType: row.document_payload_type,
        size: row.document_size,
        ingestedAt: instant(row.document_ingested_at),
      },
      statement: row.statement,
      pipeline: await findPipelineRun(
        this.#db,
        lookupForBuild({ sourceRepo: row.source_repo, sourceCommit: row.source_commit, invocationId: row.invocation_id }),
      ),
    })
  }

  async listProjects(): Promise<ProjectList> {
    const rows = await this.#db
      .selectFrom('builds')
      .select((eb) => [
        'project',
        // Any one repository of the project will do; max() picks one deterministically.
        eb.fn.max('source_repo').as('source_repo'),
        eb.fn.countAll<number>().as('builds'),
        eb.fn.max('time').as('last_time'),
      ])
      .groupBy('project')
      .orderBy('project')
      .execute()
    return ProjectList.parse({
      items: rows.map((row) => ({
        name: row.project,
        sourceRepo: row.source_repo,
        builds: Number(row.builds),
        lastBuildAt: row.last_time === null ? null : instant(row.last_time),
      })),
    })
  }

  listRebuilds(query: RebuildQuery): Promise<RebuildPage> {
    return listRebuilds(this.#db, query)
  }

  getSbomFor(digest: string): Promise<Sbom | null> {
    return getSbomFor(this.#db, digest)
  }

  async countDocuments(): Promise<number> {
    const row = await this.#db
      .selectFrom('documents')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .executeTakeFirstOrThrow()
    return Number(row.count)
  }

  reverify(verify: Reverifier): Promise<ReverifyOutcome> {
    return reverifyDocuments(this.#db, verify, Date.now, this.kind)
  }

  getSetting(key: string): Promise<string | null> {
    return getSetting(this.#db, key)
  }

  setSetting(key: string, value: string): Promise<void> {
    return setSetting(this.#db, key, value)
  }

  ingestTelemetry(batch: TelemetryBatch): Promise<TelemetryIngestOutcome> {
    return ingestTelemetry(this.#db, this.kind, batch, Date.now())
  }

  getTelemetryForBuild(lookup: TelemetryLookup): Promise<PipelineRun | null> {
    return findPipelineRun(this.#db, lookup)
  }

  listPipelines(query: PipelineQuery): Promise<PipelineList> {
    return listPipelineRuns(this.#db, query)
  }

  getArtifact(digest: string): Promise<ArtifactLookup> {
    return getArtifact(this.#db, this.kind, digest)
  }

  listSignatures(query: SignatureQuery): Promise<SignaturePage> {
    return listSignatures(this.#db, query)
  }

  reproducibilitySummary(): Promise<ReproducibilitySummary> {
    return reproducibilitySummary(this.#db)
  }

  reproducibilityHistory(project: string, range: BucketRange): Promise<ReproducibilityHistory | null> {
    return reproducibilityHistory(this.#db, project, range)
  }

  rebuilderMatrix(query: MatrixQuery): Promise<RebuilderMatrix | null> {
    return rebuilderMatrix(this.#db, query)
  }

  buildNeighbours(id: string): Promise<BuildNeighbours | null> {
    return buildNeighbours(this.#db, id)
  }

  search(q: string): Promise<SearchResponse> {
    return search(this.#db, this.kind, q)
  }

  async close(): Promise<void> {
    await this.#db.destroy()
  }
}

type LogHead = { size: number; range: CompactRange }

const logLeaf = (documentId: string) => leafHash(Buffer.from(documentId, 'hex'))

async function lockLog(trx: Transaction<Database>, kind: StoreKind): Promise<LogHead> {
  let query = trx.selectFrom('log_state').selectAll().where('id', '=', 1)
  // SQLite has one writer at a time already; PostgreSQL needs the row lock.
  if (kind === 'postgres') query = query.forUpdate()
  const row = await query.executeTakeFirstOrThrow()
  const range = parseRange(row.compact_range)
  if (range.size !== row.size) throw new Error(`log state is inconsistent: size ${row.size}, compact range of ${range.size}`)
  return { size: row.size, range }
}

function signCheckpointRow(key: LogKey, size: number, root: Buffer) {
  const checkpoint = signCheckpoint(key, size, root)
  return { size, root_hash: root.toString('hex'), note: checkpoint.note }
}

async function saveLog(trx: Transaction<Database>, log: LogHead, key: LogKey): Promise<void> {
  await trx.updateTable('log_state').set({ size: log.size, compact_range: serialiseRange(log.range) }).where('id', '=', 1).execute()
  await trx
    .insertInto('checkpoints')
    .values({ ...signCheckpointRow(key, log.size, rootOf(log.range)), created_at: Date.now() })
    .execute()
}

/**
 * The store is where the record becomes permanent, so the invariants the rest of the system relies on
 * (the id is the SHA-256 of the bytes; a build shares its document's id) are checked here, once.
 */
function checkItem({ document, build }: IngestItem): void {
  if (!Sha256Hex.safeParse(document.id).success) {
    throw new Error(`document id must be 64 lower-case hex characters; got "${document.id.slice(0, 80)}"`)
  }
  const digest = createHash('sha256').update(document.raw).digest('hex')
  if (digest !== document.id) {
    throw new Error(`document id ${document.id} is not the SHA-256 of its raw bytes (${digest})`)
  }
  if (build !== null && (build.id !== document.id || build.documentId !== document.id)) {
    throw new Error(`build ${build.id} (document ${build.documentId}) must share the id of document ${document.id}`)
  }
}

function buildRow(build: BuildRecord): BuildsTable {
  return {
    id: build.id,
    document_id: build.documentId,
    project: build.project,
    source_repo: build.sourceRepo,
    source_commit: build.sourceCommit,
    builder_id: build.builderId,
    build_type: build.buildType,
    invocation_id: build.invocationId,
    predicate_type: build.predicateType,
    statement_type: build.statementType,
    slsa_version: build.slsaVersion,
    status: build.status,
    failed_check: build.failedCheck,
    started_at: build.startedAt,
    finished_at: build.finishedAt,
    ingested_at: build.ingestedAt,
    time: build.time,
    external_parameters: stringifyOrNull(build.externalParameters),
    internal_parameters: stringifyOrNull(build.internalParameters),
    resolved_dependencies: JSON.stringify(build.resolvedDependencies),
    statement: build.statement,
  }
}

function subjectRows(buildId: string, position: number, subject: Subject, time: number): SubjectsTable[] {
  const digests = Object.entries(subject.digest)
  if (digests.length === 0) {
    return [{ build_id: buildId, position, name: subject.name, digest_algorithm: null, digest_value: null, time }]
  }
  return digests.map(([algorithm, value]) => ({
    build_id: buildId,
    position,
    name: subject.name,
    digest_algorithm: algorithm,
    digest_value: value,
    time,
  }))
}

/** The list shape; `BuildPage.parse` / `BuildDetail.parse` check it (and brand the ids) on the way out. */
function summary(row: Selectable<BuildsTable>, subjects: Subject[]) {
  return {
    id: row.id,
    project: row.project,
    sourceRepo: row.source_repo,
    sourceCommit: row.source_commit,
    builderId: row.builder_id,
    buildType: row.build_type,
    subjects,
    status: VerificationStatus.parse(row.status),
    failedCheck: row.failed_check,
    startedAt: row.started_at === null ? null : instant(row.started_at),
    finishedAt: row.finished_at === null ? null : instant(row.finished_at),
    ingestedAt: instant(row.ingested_at),
    time: instant(row.time),
  }
}

function instant(ms: number): string {
  return new Date(ms).toISOString()
}

function parseInstant(text: string, path: 'from' | 'to'): number {
  const ms = Date.parse(text)
  if (Number.isNaN(ms)) {
    throw new StoreQueryError('invalid-time', `${path} must be an ISO-8601 instant such as 2025-01-31T00:00:00Z`, path)
  }
  return ms
}

function parseJson(text: string): unknown {
  return JSON.parse(text)
}

function parseJsonOrUndefined(text: string | null): unknown {
  return text === null ? undefined : parseJson(text)
}

function stringifyOrNull(value: unknown): string | null {
  // JSON.stringify(undefined) is undefined, not a string: store SQL NULL for "absent".
  return value === undefined ? null : JSON.stringify(value)
}

function parseVerification(text: string): Verification {
  return Verification.parse(parseJson(text))
}
