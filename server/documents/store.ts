import { createHash } from 'node:crypto'
import type { Insertable } from 'kysely'
import { shapesOf } from '../alerts/compiled-shapes'
import { binaryChunks, paddedList } from '../alerts/statement-shapes'
import { Sha256Hex, Verification, type Subject } from '../../src/contract/common'
import { signerIdentity } from '../../domain/signer'
import type { LogKey } from '../log/checkpoint'
import { appendDocument, lockLog, saveLog, type LogHead } from '../log/store'
import { signingTime } from '../../domain/signing-time'
import { addSignatureCounts, countInBatch, countSignature, type SignatureCount } from '../signatures/store'
import { insertSourceDocuments } from '../sources/store'
import { parseJson, type Db, type StoreKind } from '../store/db'
import type { BuildsTable, DocumentsTable, SubjectsTable } from '../store/schema'
import { indexAttestationSubjects } from './attestation-index'
import { insertExtras, linkSbomsWrittenBy } from './facts-store'
import { documentsRecordedBy, evidenceByDocument, evidenceFor, insertLinks, insertLogFacts, linkDocument, type RecordedDocument } from './log-evidence-store'
import type { BuildRecord, DocumentExtras, IngestItem, IngestOutcome, LogEvidence, LoggedEntry, LogPair, StoredDocument } from './records'
import { reverifyDocuments, type Reverifier, type ReverifyOutcome } from './reverify-store'

/*
 * Where a document becomes permanent: its bytes, its verdict, the build it describes and its facts, its leaf in
 * the log and its signature count, all in one transaction.
 */

export interface DocumentRepository {
  /** Stores a batch in one transaction: all of it is durable when the promise resolves, or none of it. */
  ingest(items: IngestItem[]): Promise<IngestOutcome[]>
  get(id: string): Promise<StoredDocument | null>
  count(): Promise<number>
  /** Re-runs verification over every stored document; changed verdicts replace the current ones, the old kept as history. */
  reverify(verify: Reverifier): Promise<ReverifyOutcome>
  /** Stored Rekor entries committing to any of these (digest, signature) pairs, by `digest:signature`. */
  logEvidenceFor(keys: readonly LogPair[]): Promise<Map<string, LogEvidence[]>>
  /** Stored documents whose signatures entries with these pairs record, each with its own pairs. */
  documentsRecordedBy(keys: readonly LogPair[]): Promise<(RecordedDocument & { keys: LogPair[] })[]>
  /** Every stored document's log evidence. */
  logEvidenceByDocument(): Promise<Map<string, LogEvidence[]>>
  /** Records the links and, when `next` differs from the stored verdict, replaces it (kept as history); true when it did. */
  linkLogEvidence(document: RecordedDocument, evidence: readonly LogEvidence[], next: Verification | null): Promise<boolean>
  /** Keeps log keys and entries found when stored documents were read again (those stored before migration 0017). */
  keepLogFacts(facts: readonly { documentId: string; keys: LogPair[]; entries: LoggedEntry[] }[]): Promise<void>
  /** Indexes by digest what stored documents without a build are about, as found when they were read again. */
  keepSubjects(facts: readonly { documentId: string; subjects: Subject[] }[]): Promise<void>
  /** Since the store was opened: the ingest transactions group commit wrote, and the batches they carried. */
  groupCommits(): { transactions: number; batches: number }
}

export function documentRepository(db: Db, kind: StoreKind, key: LogKey): DocumentRepository {
  const grouped = groupCommit((items) => ingest(db, kind, key, items))
  return {
    groupCommits: () => ({ ...grouped.written }),
    ingest: async (items) => {
      for (const item of items) checkItem(item)
      return items.length === 0 ? [] : grouped(items)
    },
    get: async (id) => {
      const row = await db.selectFrom('documents').selectAll().where('id', '=', id).executeTakeFirst()
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
    },
    count: async () => {
      const row = await db.selectFrom('documents').select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow()
      return Number(row.count)
    },
    reverify: (verify) => reverifyDocuments(db, verify, Date.now, kind),
    logEvidenceFor: (keys) => evidenceFor(db, keys),
    documentsRecordedBy: (keys) => documentsRecordedBy(db, keys),
    logEvidenceByDocument: () => evidenceByDocument(db),
    linkLogEvidence: (document, evidence, next) => linkDocument(db, kind, document, evidence, next, Date.now()),
    keepLogFacts: async (facts) => {
      if (facts.length === 0) return
      await db.transaction().execute(async (trx) => {
        for (const fact of facts) await insertLogFacts(trx, fact.documentId, fact.keys, fact.entries)
      })
    },
    keepSubjects: async (facts) => {
      if (facts.length === 0) return
      await db.transaction().execute(async (trx) => {
        for (const fact of facts) await indexAttestationSubjects(trx, fact.documentId, 'document', fact.subjects)
      })
    },
  }
}

type Waiting = { items: IngestItem[]; resolve: (outcomes: IngestOutcome[]) => void; reject: (error: unknown) => void }

/** Most documents one group commit stores in one transaction. */
const GROUP_LIMIT = 2000

/**
 * Group commit: batches that arrive while a transaction is being written wait and are then written together, in one
 * transaction with one sync to disk, and each caller is answered once it is durable. With one document per HTTP
 * request, the sync is most of a request's cost, so four clients share one instead of queueing for four. Outcomes
 * are as if the batches were stored one after the other. If a group fails, its batches are written again one by one,
 * so one caller's failure is never another's.
 */
function groupCommit(write: (items: IngestItem[]) => Promise<IngestOutcome[]>): ((items: IngestItem[]) => Promise<IngestOutcome[]>) & {
  written: { transactions: number; batches: number }
} {
  const written = { transactions: 0, batches: 0 }
  const waiting: Waiting[] = []
  let writing = false
  const drain = async () => {
    while (waiting.length > 0) {
      let count = 0
      const group: Waiting[] = []
      while (waiting.length > 0 && (group.length === 0 || count + (waiting[0]?.items.length ?? 0) <= GROUP_LIMIT)) {
        const next = waiting.shift()
        if (next === undefined) break
        group.push(next)
        count += next.items.length
      }
      try {
        const outcomes = await write(group.flatMap((batch) => batch.items))
        written.transactions++
        written.batches += group.length
        let at = 0
        for (const batch of group) {
          batch.resolve(outcomes.slice(at, at + batch.items.length))
          at += batch.items.length
        }
      } catch (error) {
        if (group.length === 1) group[0]?.reject(error)
        else for (const batch of group) await write(batch.items).then(batch.resolve, batch.reject)
      }
      // One turn of the event loop between groups too: the callers just answered finish first. Each asks the alert rules to catch up
      // before it answers (reads on the one SQLite connection), and a transaction begun at once would hold that
      // connection through its disk sync, so answers waited a sync longer and their clients' next requests came late.
      // Requests read meanwhile join the next group. Measured with 4 HTTP clients: 565 -> 630-680 documents/s.
      await new Promise((resolve) => setImmediate(resolve))
    }
    writing = false
  }
  const grouped = (items: IngestItem[]) =>
    new Promise<IngestOutcome[]>((resolve, reject) => {
      waiting.push({ items, resolve, reject })
      if (writing) return
      writing = true
      // The first batch waits one turn of the event loop, so requests already received (their bodies read, their
      // documents verified) join its transaction: the store's driver is synchronous, so once a transaction starts
      // nothing else is read until it has committed, and without the wait every request paid for its own sync.
      setImmediate(() => void drain())
    })
  return Object.assign(grouped, { written })
}

/** PostgreSQL accepts 65535 bind parameters per statement, SQLite 32766; stay far below both (6 a subject row). */
const SUBJECT_ROWS_PER_INSERT = 512

/** Rows a multi-row insert of documents or builds carries at most: 14 and 21 bind parameters each, far below both limits. */
const ROWS_PER_INSERT = 256

/** Ids or digests an `in (…)` list carries (padded to one of a few lengths, server/alerts/statement-shapes.ts). */
const IDS_PER_LOOKUP = 500

/*
 * The statements every commit of plain documents runs are compiled once per dialect and bound with new values
 * (server/alerts/compiled-shapes.ts): Kysely building and compiling each afresh cost more CPU than SQLite running it,
 * and with one document per HTTP request a commit carries two or three documents. Multi-row inserts are shaped by
 * their row count; each slot is a row's column, in the order of these lists.
 */
const DOCUMENT_COLUMNS = [
  'id', 'raw', 'size', 'format', 'payload_type', 'status', 'failed_check', 'verification', 'ingested_at', 'log_index', 'signer', 'project', 'signed_at', 'time',
] as const satisfies readonly (keyof DocumentsTable)[]
const BUILD_COLUMNS = [
  'id', 'document_id', 'project', 'source_repo', 'source_commit', 'builder_id', 'build_type', 'invocation_id', 'predicate_type', 'statement_type',
  'slsa_version', 'status', 'failed_check', 'started_at', 'finished_at', 'ingested_at', 'time', 'external_parameters', 'internal_parameters',
  'resolved_dependencies', 'statement',
] as const satisfies readonly (keyof BuildsTable)[]
const SUBJECT_COLUMNS = ['build_id', 'position', 'name', 'digest_algorithm', 'digest_value', 'time'] as const satisfies readonly (keyof SubjectsTable)[]

/** `count` rows of slots for these columns, numbered row by row. */
function slotRows<C extends string>(columns: readonly C[], count: number, slot: <T>(index: number) => T): Record<C, unknown>[] {
  return Array.from({ length: count }, (_, row) => Object.fromEntries(columns.map((column, index) => [column, slot(row * columns.length + index)])) as Record<C, unknown>)
}

/**
 * `rows` in statements of one shape each: a short run (a group commit of HTTP requests) in one, a longer one in chunks
 * of powers of two up to `max`, so that a few dozen statement texts serve every length.
 */
function insertChunks<T>(rows: readonly T[], max: number): T[][] {
  if (rows.length === 0) return []
  return rows.length <= EXACT_ROWS ? [[...rows]] : binaryChunks(rows, max)
}

/** Runs of up to this many rows are inserted in one statement of their own length. */
const EXACT_ROWS = 16

/**
 * The values of `rows` in the order `slotRows` numbers their slots. Filled in place: a run of 200 builds has 4,200
 * values, and an array per row joined by flatMap took seven times as long.
 */
function rowValues<C extends string>(columns: readonly C[], rows: readonly Partial<Record<C, unknown>>[]): unknown[] {
  const values = new Array<unknown>(rows.length * columns.length)
  let at = 0
  for (const row of rows) for (const column of columns) values[at++] = row[column] ?? null
  return values
}

/**
 * A provenance document that is only a build (no facts, no log keys or entries, no evidence): the common case, whose
 * rows are written several documents per statement (`storePlain`).
 */
function isPlain({ build, extras, subjects, logKeys, logEntries, logEvidence }: IngestItem): boolean {
  return build !== null && extras === undefined && subjects === undefined && (logKeys?.length ?? 0) === 0 && (logEntries?.length ?? 0) === 0 && logEvidence === undefined
}

async function ingest(db: Db, kind: StoreKind, key: LogKey, items: IngestItem[]): Promise<IngestOutcome[]> {
  return db.transaction().execute(async (trx) => {
    const outcomes: IngestOutcome[] = []
    // Taking the log first serialises ingest transactions, so log order is commit order.
    const log = await lockLog(trx, kind)
    const sizeBefore = log.size
    const linked: { id: string; evidence: LogEvidence[]; at: number }[] = []
    // One upsert per (project, signer, status) for the whole batch rather than two statements per document.
    const counts = new Map<string, SignatureCount>()
    // Consecutive plain documents wait here and are written together, before anything that follows them, so every
    // document still sees exactly the rows of those before it. A document already waiting ends the run first: the
    // second copy is then answered from the stored row, as a copy always is.
    let run: IngestItem[] = []
    const flush = async () => {
      if (run.length > 0) outcomes.push(...(await storePlain(trx, log, run, counts)))
      run = []
    }
    for (const item of items) {
      if (isPlain(item)) {
        if (run.some((waiting) => waiting.document.id === item.document.id)) await flush()
        run.push(item)
        continue
      }
      await flush()
      const { document, build, extras, logKeys, logEntries, logEvidence, subjects } = item
      // ON CONFLICT DO NOTHING rather than "select, then insert": under concurrency a second writer's
      // insert waits for the first to commit and then inserts nothing, so one document is one record.
      const inserted = await trx
        .insertInto('documents')
        .values(documentRow(item, log.size))
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

      appendDocument(log, document.id)
      if (build !== null) {
        await trx.insertInto('builds').values(buildRow(build)).execute()
        await insertSubjects(trx, [build])
        // SBOM files among its subjects, stored before it, are linked to what they describe now.
        await linkSbomsWrittenBy(trx, build.id, build.project, build.subjects)
      }
      if (extras !== undefined) await insertExtras(trx, document, extras)
      // After the facts, whose own index rows (a VSA's, a test result's) keep their kind; these add nothing twice.
      if (subjects !== undefined) await indexAttestationSubjects(trx, document.id, 'document', subjects)
      await insertLogFacts(trx, document.id, logKeys ?? [], logEntries ?? [])
      // After every document of the batch: an entry may have come in the same batch, after the bundle.
      if (logEvidence !== undefined) linked.push({ id: document.id, evidence: logEvidence, at: document.ingestedAt })
      // Facts may name the document's project (an SBOM's, a rebuild's); then the count reads it back from the row.
      if (extras === undefined) countInBatch(counts, build?.project ?? null, signerIdentity(document.verification), document.verification.status)
      else await countSignature(trx, document.id, 1)
      outcomes.push({
        id: document.id,
        created: true,
        verification: document.verification,
        buildId: build?.id ?? null,
      })
    }
    await flush()
    // Outcomes are in the order of the items (each run of plain documents answers in its own order).
    const origins = items.flatMap((item, index) => {
      const outcome = outcomes[index]
      return item.origin === undefined || outcome === undefined ? [] : [{ ...item.origin, documentId: outcome.id, created: outcome.created, at: item.document.ingestedAt }]
    })
    for (const entry of origins) await insertSourceDocuments(trx, [entry], entry.at)
    for (const link of linked) await insertLinks(trx, link.id, link.evidence, link.at)
    await addSignatureCounts(trx, counts)
    if (log.size > sizeBefore) await saveLog(trx, log, key)
    return outcomes
  })
}

/**
 * Stores a run of plain documents (`isPlain`, no two with one id) as the loop in `ingest` would one by one, with one
 * statement for many rows where it may: the copies already stored are found with one query (the log is locked, so no
 * other writer can store one meanwhile), the new documents, their builds and their subjects are inserted several
 * rows a statement, and each build then links the SBOMs stored before it, in order.
 */
async function storePlain(trx: Db, log: LogHead, run: readonly IngestItem[], counts: Map<string, SignatureCount>): Promise<IngestOutcome[]> {
  const shape = shapesOf(trx)
  const stored = new Map<string, { verification: string; build_id: string | null }>()
  for (let start = 0; start < run.length; start += IDS_PER_LOOKUP) {
    const ids = paddedList(run.slice(start, start + IDS_PER_LOOKUP).map((item) => item.document.id))
    const lookup = shape(`stored documents, ${ids.length} ids`, (slot) =>
      trx
        .selectFrom('documents')
        .leftJoin('builds', 'builds.document_id', 'documents.id')
        .select(['documents.id', 'documents.verification', 'builds.id as build_id'])
        .where(
          'documents.id',
          'in',
          ids.map((_, index) => slot<string>(index)),
        ),
    )
    const { rows } = await trx.executeQuery<{ id: string; verification: string; build_id: string | null }>(lookup.bind(ids))
    for (const row of rows) stored.set(row.id, row)
  }
  const fresh = run.filter((item) => !stored.has(item.document.id))
  const documents = fresh.map((item) => {
    const row = documentRow(item, log.size)
    appendDocument(log, item.document.id)
    return row
  })
  for (const slice of insertChunks(documents, ROWS_PER_INSERT)) {
    // ON CONFLICT DO NOTHING and a count, as a last guard: a copy stored by a writer that did not take the log's
    // lock fails the transaction (and group commit writes its batches again one by one) instead of forking the log.
    const insert = shape(`insert documents, ${slice.length} rows`, (slot) =>
      trx
        .insertInto('documents')
        .values(slotRows(DOCUMENT_COLUMNS, slice.length, slot) as Insertable<DocumentsTable>[])
        .onConflict((oc) => oc.column('id').doNothing())
        .returning('id'),
    )
    const inserted = (await trx.executeQuery<{ id: string }>(insert.bind(rowValues(DOCUMENT_COLUMNS, slice)))).rows
    if (inserted.length !== slice.length) throw new Error(`${slice.length - inserted.length} documents were stored by another writer during this transaction`)
  }
  const builds = fresh.flatMap((item) => (item.build === null ? [] : [item.build]))
  for (const slice of insertChunks(builds.map(buildRow), ROWS_PER_INSERT)) {
    const insert = shape(`insert builds, ${slice.length} rows`, (slot) => trx.insertInto('builds').values(slotRows(BUILD_COLUMNS, slice.length, slot) as BuildsTable[]))
    await trx.executeQuery(insert.bind(rowValues(BUILD_COLUMNS, slice)))
  }
  await insertSubjects(trx, builds)
  // One lookup for the run says which builds wrote an SBOM file stored before them (usually none); a run stores no
  // SBOMs itself, so the answer holds for each of its builds in turn.
  const sbomFiles = await storedSbomFiles(trx, builds.flatMap((build) => build.subjects.flatMap((subject) => subject.digest.sha256 ?? [])))
  for (const build of builds) {
    if (build.subjects.some((subject) => subject.digest.sha256 !== undefined && sbomFiles.has(subject.digest.sha256))) {
      await linkSbomsWrittenBy(trx, build.id, build.project, build.subjects)
    }
  }
  for (const { document, build } of fresh) countInBatch(counts, build?.project ?? null, signerIdentity(document.verification), document.verification.status)
  return run.map(({ document, build }) => {
    const copy = stored.get(document.id)
    return copy === undefined
      ? { id: document.id, created: true, verification: document.verification, buildId: build?.id ?? null }
      : { id: document.id, created: false, verification: parseVerification(copy.verification), buildId: copy.build_id }
  })
}

/** Which of these files (SHA-256) an SBOM stored in this database describes, as `linkSbomsWrittenBy` looks them up. */
async function storedSbomFiles(trx: Db, files: readonly string[]): Promise<Set<string>> {
  const unique = [...new Set(files)]
  const found = new Set<string>()
  for (let start = 0; start < unique.length; start += IDS_PER_LOOKUP) {
    const digests = paddedList(unique.slice(start, start + IDS_PER_LOOKUP))
    const lookup = shapesOf(trx)(`stored sbom files, ${digests.length} digests`, (slot) =>
      trx
        .selectFrom('sboms')
        .select('file_sha256')
        .where(
          'file_sha256',
          'in',
          digests.map((_, index) => slot<string>(index)),
        ),
    )
    const { rows } = await trx.executeQuery<{ file_sha256: string | null }>(lookup.bind(digests))
    for (const row of rows) if (row.file_sha256 !== null) found.add(row.file_sha256)
  }
  return found
}

/** The `documents` row of an item, at `logIndex` in the log. */
function documentRow({ document, build, extras }: IngestItem, logIndex: number): Insertable<DocumentsTable> {
  // What keepSignatureTime would read back from the rows stored with it, taken from them before they are.
  const signed = signedAt(document.verification, build, extras)
  return {
    id: document.id,
    raw: Buffer.from(document.raw.buffer, document.raw.byteOffset, document.raw.byteLength),
    size: document.raw.byteLength,
    format: document.format,
    payload_type: document.payloadType,
    status: document.verification.status,
    failed_check: document.verification.failedCheck,
    verification: JSON.stringify(document.verification),
    ingested_at: document.ingestedAt,
    log_index: logIndex,
    signer: signerIdentity(document.verification),
    project: build?.project ?? null,
    signed_at: signed,
    time: signed ?? document.ingestedAt,
  }
}

/** The subjects of these builds, up to SUBJECT_ROWS_PER_INSERT rows a statement. */
async function insertSubjects(trx: Db, builds: readonly BuildRecord[]): Promise<void> {
  const rows = builds.flatMap((build) => build.subjects.flatMap((subject, position) => subjectRows(build.id, position, subject, build.time)))
  for (const slice of insertChunks(rows, SUBJECT_ROWS_PER_INSERT)) {
    const insert = shapesOf(trx)(`insert subjects, ${slice.length} rows`, (slot) => trx.insertInto('subjects').values(slotRows(SUBJECT_COLUMNS, slice.length, slot) as SubjectsTable[]))
    await trx.executeQuery(insert.bind(rowValues(SUBJECT_COLUMNS, slice)))
  }
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

/** The document's signing time from the facts about to be stored with it (domain/signing-time.ts). */
function signedAt(verification: Verification, build: BuildRecord | null, extras: DocumentExtras | undefined): number | null {
  return signingTime({
    verification,
    builds: build ? [{ started_at: build.startedAt, finished_at: build.finishedAt }] : [],
    rebuilds: (extras?.rebuilds ?? []).map((rebuild) => ({ started_at: rebuild.startedAt, finished_at: rebuild.finishedAt })),
    verifiedAt: extras?.vsa?.timeVerified ?? null,
    sbomCreatedAt: extras?.sbom?.createdAt ?? null,
  })
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

function stringifyOrNull(value: unknown): string | null {
  // JSON.stringify(undefined) is undefined, not a string: store SQL NULL for "absent".
  return value === undefined ? null : JSON.stringify(value)
}

function parseVerification(text: string): Verification {
  return Verification.parse(parseJson(text))
}
