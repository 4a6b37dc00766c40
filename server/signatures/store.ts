import { sql } from 'kysely'
import { z } from 'zod'
import { DigestSet, Subject, Verification, type Subject as SubjectType } from '../../src/contract/common'
import { SignaturePage, type DocumentKind, type SignatureQuery } from '../../src/contract/signatures'
import { countStatuses } from '../../domain/status-counts'
import { signingTime } from '../../domain/signing-time'
import { subjectsOf } from '../builds/summaries'
import { decodeCursor, encodeCursor } from '../store/cursor'
import { instant, parseJson, type Db } from '../store/db'
import { shapesOf } from '../alerts/compiled-shapes'

/*
 * Every verification result, one row a document, newest first by `documents.time` (when it was signed or its
 * build ran, else when it was ingested), with counts by status. Counts without a
 * time filter come from `signature_counts`, kept per (project, signer, status) in the transaction that stores or
 * re-verifies a document, so a count is an index seek, not a scan.
 */

export interface SignatureRepository {
  /** Verification results, newest signed first, with counts by status for the same filters. */
  list(query: SignatureQuery): Promise<SignaturePage>
}

export function signatureRepository(db: Db): SignatureRepository {
  return { list: (query) => listSignatures(db, query) }
}

/** Every verification result, newest signed first, with counts by status for the same filters (status aside). */
async function listSignatures(db: Db, query: SignatureQuery): Promise<SignaturePage> {
  const limit = Math.min(Math.max(Math.trunc(query.limit), 1), 500)
  const cursor = query.cursor === undefined ? undefined : decodeCursor(query.cursor)
  const from = query.from === undefined ? undefined : Date.parse(query.from)
  const to = query.to === undefined ? undefined : Date.parse(query.to)

  let filtered = db.selectFrom('documents')
  if (query.project !== undefined) filtered = filtered.where('project', '=', query.project)
  if (query.signer !== undefined) filtered = filtered.where('signer', '=', query.signer)
  if (from !== undefined) filtered = filtered.where('time', '>=', from)
  if (to !== undefined) filtered = filtered.where('time', '<', to)

  let page = filtered.select(['id', 'format', 'status', 'failed_check', 'signer', 'project', 'ingested_at', 'signed_at', 'time'])
  if (query.status !== undefined) {
    // With a project or signer filter, their index (which holds status) serves the page in order; written as an
    // expression, the status test cannot tempt the planner into the status index and a sort.
    const status = query.status
    page =
      query.project !== undefined || query.signer !== undefined
        ? page.where(sql<string>`${sql.ref('status')} || ''`, '=', status)
        : page.where('status', '=', status)
  }
  if (cursor !== undefined) page = page.where((eb) => eb(eb.refTuple('time', 'id'), '<', eb.tuple(cursor.time, cursor.id)))
  const rows = await page.orderBy('time', 'desc').orderBy('id', 'desc').limit(limit + 1).execute()
  const items = rows.slice(0, limit)

  // Without a time filter the counts are kept per (project, signer, status); with one, an index-only range scan.
  let kept = db.selectFrom('signature_counts').select((eb) => ['status', eb.fn.sum<number>('count').as('count')])
  if (query.project !== undefined) kept = kept.where('project', '=', query.project)
  if (query.signer !== undefined) kept = kept.where('signer', '=', query.signer)
  const countRows =
    from === undefined && to === undefined
      ? await kept.groupBy('status').execute()
      : await filtered
          .select((eb) => ['status', eb.fn.countAll<number>().as('count')])
          .groupBy('status')
          .execute()
  const counts = countStatuses(countRows)

  const subjects = await documentSubjects(
    db,
    items.map((row) => row.id),
  )
  const last = items.at(-1)
  return SignaturePage.parse({
    items: items.map((row) => ({
      documentId: row.id,
      format: row.format,
      status: row.status,
      failedCheck: row.failed_check,
      signer: row.signer,
      project: row.project,
      kind: subjects.kinds.get(row.id) ?? null,
      buildId: subjects.builds.has(row.id) ? row.id : null,
      subjects: subjects.byDocument.get(row.id) ?? [],
      ingestedAt: instant(row.ingested_at),
      signedAt: row.signed_at === null ? null : instant(row.signed_at),
      time: instant(row.time),
    })),
    nextCursor: rows.length > limit && last !== undefined ? encodeCursor({ time: last.time, id: last.id }) : null,
    counts,
  })
}

/** What each document is about: a build's subjects, an SBOM's, a VSA's, a link's products, rebuilt artifacts, deployed digests, else the digests it is indexed by. */
async function documentSubjects(db: Db, ids: string[]): Promise<{ builds: Set<string>; byDocument: Map<string, SubjectType[]>; kinds: Map<string, DocumentKind> }> {
  const byDocument = new Map<string, SubjectType[]>()
  // What each document is, from the table that holds what was read from it.
  const kinds = new Map<string, DocumentKind>()
  const append = (id: string, subject: SubjectType) => {
    const list = byDocument.get(id)
    if (list) list.push(subject)
    else byDocument.set(id, [subject])
  }
  if (ids.length === 0) return { builds: new Set(), byDocument, kinds }
  const builds = new Set((await db.selectFrom('builds').select('id').where('id', 'in', ids).execute()).map((row) => row.id))
  for (const id of builds) kinds.set(id, 'provenance')
  for (const [id, list] of await subjectsOf(db, [...builds])) byDocument.set(id, list)
  const rest = ids.filter((id) => !builds.has(id))
  if (rest.length === 0) return { builds, byDocument, kinds }
  const subjectList = z.array(Subject)
  for (const row of await db.selectFrom('sboms').select(['document_id', 'subject_name', 'subject_digest', 'statement_subjects']).where('document_id', 'in', rest).execute()) {
    const statement = subjectList.safeParse(parseJson(row.statement_subjects))
    const digest = DigestSet.safeParse(parseJson(row.subject_digest))
    kinds.set(row.document_id, 'sbom')
    byDocument.set(
      row.document_id,
      statement.success && statement.data.length > 0 ? statement.data : [{ name: row.subject_name ?? '', digest: digest.success ? digest.data : {} }],
    )
  }
  for (const row of await db.selectFrom('vsas').select(['document_id', 'subjects']).where('document_id', 'in', rest).execute()) {
    kinds.set(row.document_id, 'vsa')
    const parsed = subjectList.safeParse(parseJson(row.subjects))
    if (parsed.success) byDocument.set(row.document_id, parsed.data)
  }
  for (const row of await db.selectFrom('links').select(['document_id', 'products']).where('document_id', 'in', rest).execute()) {
    kinds.set(row.document_id, 'link')
    const products = z.record(z.string(), DigestSet).safeParse(parseJson(row.products))
    if (products.success) byDocument.set(row.document_id, Object.entries(products.data).map(([name, digest]) => ({ name, digest })))
  }
  for (const row of await db
    .selectFrom('rebuilds')
    .select(['document_id', 'artifact_name', 'artifact_digests'])
    .where('document_id', 'in', rest)
    .orderBy('document_id')
    .orderBy('position')
    .execute()) {
    const digest = DigestSet.safeParse(parseJson(row.artifact_digests))
    kinds.set(row.document_id, 'rebuild')
    append(row.document_id, { name: row.artifact_name ?? '', digest: digest.success ? digest.data : {} })
  }
  // A signed deployment is about the digests it deployed.
  for (const row of await db
    .selectFrom('deployments')
    .innerJoin('deployment_artifacts', 'deployment_artifacts.deployment_id', 'deployments.id')
    .select(['deployments.document_id as document_id', 'deployment_artifacts.name as name', 'deployment_artifacts.digest_value as digest_value'])
    .where('deployments.document_id', 'in', rest)
    .orderBy('deployments.document_id')
    .orderBy('deployment_artifacts.position')
    .execute()) {
    if (row.document_id === null) continue
    kinds.set(row.document_id, 'deployment')
    append(row.document_id, { name: row.name ?? '', digest: { sha256: row.digest_value } })
  }
  // Any other document that names what it is about (a Sigstore bundle's message digest, a Rekor entry's logged
  // digest, a test result, a Statement of another kind): the digests its artifact page finds it by, unnamed.
  const others = rest.filter((id) => !byDocument.has(id))
  if (others.length === 0) return { builds, byDocument, kinds }
  for (const row of await db.selectFrom('test_results').select('document_id').where('document_id', 'in', others).execute()) kinds.set(row.document_id, 'test-result')
  for (const row of await db
    .selectFrom('attestation_subjects')
    .select(['document_id', 'digest_algorithm', 'digest_value'])
    .where('document_id', 'in', others)
    .orderBy('digest_algorithm')
    .orderBy('digest_value')
    .execute()) {
    append(row.document_id, { name: '', digest: { [row.digest_algorithm]: row.digest_value } })
  }
  return { builds, byDocument, kinds }
}

/**
 * Adds `delta` to the kept count of the document's (project, signer, status) as it is stored now. Called in the
 * transaction that stores a document (+1) and around a re-verification that changes it (−1 before, +1 after).
 */
export async function countSignature(db: Db, documentId: string, delta: 1 | -1): Promise<void> {
  const row = await db.selectFrom('documents').select(['project', 'signer', 'status']).where('id', '=', documentId).executeTakeFirst()
  if (row === undefined) return
  await db
    .insertInto('signature_counts')
    .values({ project: row.project ?? '', signer: row.signer ?? '', status: row.status, count: delta })
    .onConflict((oc) => oc.columns(['project', 'signer', 'status']).doUpdateSet((eb) => ({ count: eb('signature_counts.count', '+', delta) })))
    .execute()
}

export type SignatureCount = { project: string; signer: string; status: string; count: number }

/** Adds one document to a batch's counts, keyed as `signature_counts` is. */
export function countInBatch(counts: Map<string, SignatureCount>, project: string | null, signer: string | null, status: string): void {
  const key = JSON.stringify([project ?? '', signer ?? '', status])
  const found = counts.get(key)
  if (found) found.count++
  else counts.set(key, { project: project ?? '', signer: signer ?? '', status, count: 1 })
}

/** Adds a batch's counts to the kept ones, one upsert per (project, signer, status). */
export async function addSignatureCounts(db: Db, counts: ReadonlyMap<string, SignatureCount>): Promise<void> {
  // Every ingest commit runs it: compiled once per dialect and bound (server/alerts/compiled-shapes.ts).
  const upsert = shapesOf(db)('add signature count', (slot) =>
    db
      .insertInto('signature_counts')
      .values({ project: slot<string>(0), signer: slot<string>(1), status: slot<string>(2), count: slot<number>(3) })
      .onConflict((oc) => oc.columns(['project', 'signer', 'status']).doUpdateSet((eb) => ({ count: eb('signature_counts.count', '+', slot<number>(4)) }))),
  )
  for (const row of counts.values()) await db.executeQuery(upsert.bind([row.project, row.signer, row.status, row.count, row.count]))
}

/**
 * Keeps `documents.signed_at` and `documents.time` (the list's order) from the facts stored about the document.
 * Called in the transaction that stores a document, after its build, rebuilds and VSA rows, and after a
 * re-verification, whose transparency-log entries may read differently.
 */
export async function keepSignatureTime(db: Db, documentId: string): Promise<void> {
  const row = await db.selectFrom('documents').select(['verification', 'ingested_at']).where('id', '=', documentId).executeTakeFirst()
  if (row === undefined) return
  const parsed = Verification.safeParse(parseJson(row.verification))
  const signedAt = signingTime({
    verification: parsed.success ? parsed.data : null,
    builds: await db.selectFrom('builds').select(['started_at', 'finished_at']).where('document_id', '=', documentId).execute(),
    rebuilds: await db.selectFrom('rebuilds').select(['started_at', 'finished_at']).where('document_id', '=', documentId).orderBy('position').execute(),
    verifiedAt: (await db.selectFrom('vsas').select('time_verified').where('document_id', '=', documentId).executeTakeFirst())?.time_verified ?? null,
    sbomCreatedAt: (await db.selectFrom('sboms').select('created_at').where('document_id', '=', documentId).executeTakeFirst())?.created_at ?? null,
  })
  await db.updateTable('documents').set({ signed_at: signedAt, time: signedAt ?? row.ingested_at }).where('id', '=', documentId).execute()
}
