import { sql, type Kysely, type RawBuilder, type Selectable, type SqlBool } from 'kysely'
import { z } from 'zod'
import { BuildSummary } from '../../src/contract/builds'
import { BuildId, DigestSet, Subject, Verification, VerificationStatus, type Subject as SubjectType } from '../../src/contract/common'
import { ArtifactDetail, type ArtifactAttestation } from '../../src/contract/artifacts'
import { BuildNeighbours } from '../../src/contract/builds'
import { RebuilderMatrix, ReproducibilityHistory, ReproducibilitySummary, type MatrixQuery, type ReproducibilityProject } from '../../src/contract/reproducibility'
import { SearchResponse, type SearchResult } from '../../src/contract/search'
import { SignaturePage, type SignatureQuery, type StatusCounts } from '../../src/contract/signatures'
import { REBUILD_PREDICATE_TYPE, type Rebuild } from '../../src/contract/rebuilds'
import { bucketMs, type BucketRange } from '../explore/buckets'
import { decodeCursor, encodeCursor } from './cursor'
import { getSbomFor, rebuildOut } from './format-facts'
import type { BuildsTable, Database } from './schema'
import type { StoreKind } from './types'

/*
 * Reads behind the explore screens (migration 0006): artifact, signatures, reproducibility, build neighbours,
 * search. Every list is a keyset page over an index ending in its sort order, every count an index-only scan,
 * and every lookup by name, signer, purl or digest prefix a range on an index. docs/explore.md explains them.
 */

type Db = Kysely<Database>

const instant = (ms: number) => new Date(ms).toISOString()
const parse = (text: string): unknown => JSON.parse(text)
const MAX_SEARCH_RESULTS = 20
const short = (hex: string) => (hex.length > 12 ? `${hex.slice(0, 12)}…` : hex)

// ---------- text keys and prefixes ----------

/** The column compared bytewise: SQLite does already; PostgreSQL is told to, so ranges mean "starts with". */
function textKey(kind: StoreKind, column: string): RawBuilder<string> {
  return kind === 'postgres' ? sql<string>`${sql.ref(column)} collate "C"` : sql<string>`${sql.ref(column)}`
}

/** The smallest string greater than every string starting with `prefix`; null when there is none. */
export function prefixUpperBound(prefix: string): string | null {
  const points = Array.from(prefix, (char) => char.codePointAt(0) ?? 0)
  while (points.length > 0) {
    const last = points.pop() ?? 0
    if (last < 0x10ffff) {
      const next = last + 1 >= 0xd800 && last + 1 <= 0xdfff ? 0xe000 : last + 1
      return String.fromCodePoint(...points, next)
    }
  }
  return null
}

/** `column` starts with `prefix`, as an index range. */
function startsWith(kind: StoreKind, column: string, prefix: string): RawBuilder<SqlBool> {
  const key = textKey(kind, column)
  const upper = prefixUpperBound(prefix)
  return upper === null ? sql<SqlBool>`${key} >= ${prefix}` : sql<SqlBool>`${key} >= ${prefix} and ${key} < ${upper}`
}

/** `column` sorts after `value` (bytewise) and still starts with `prefix`. */
function between(kind: StoreKind, column: string, value: string, prefix: string): RawBuilder<SqlBool> {
  const key = textKey(kind, column)
  const upper = prefixUpperBound(prefix)
  return upper === null ? sql<SqlBool>`${key} > ${value}` : sql<SqlBool>`${key} > ${value} and ${key} < ${upper}`
}

// ---------- build summaries ----------

type SummaryRow = Pick<
  Selectable<BuildsTable>,
  'id' | 'project' | 'source_repo' | 'source_commit' | 'builder_id' | 'build_type' | 'status' | 'failed_check' | 'started_at' | 'finished_at' | 'ingested_at' | 'time'
>

const summaryColumns = [
  'builds.id',
  'builds.project',
  'builds.source_repo',
  'builds.source_commit',
  'builds.builder_id',
  'builds.build_type',
  'builds.status',
  'builds.failed_check',
  'builds.started_at',
  'builds.finished_at',
  'builds.ingested_at',
  'builds.time',
] as const

/** Subjects of many builds in one query, in subject order: a page costs two queries, not one per build. */
export async function subjectsOf(db: Db, buildIds: readonly string[]): Promise<Map<string, SubjectType[]>> {
  const byBuild = new Map<string, SubjectType[]>()
  if (buildIds.length === 0) return byBuild
  const rows = await db
    .selectFrom('subjects')
    .select(['build_id', 'position', 'name', 'digest_algorithm', 'digest_value'])
    .where('build_id', 'in', [...new Set(buildIds)])
    .orderBy('build_id')
    .orderBy('position')
    .orderBy('digest_algorithm')
    .execute()
  let current: { buildId: string; position: number; subject: SubjectType } | undefined
  for (const row of rows) {
    if (current === undefined || current.buildId !== row.build_id || current.position !== row.position) {
      current = { buildId: row.build_id, position: row.position, subject: { name: row.name, digest: {} } }
      const list = byBuild.get(row.build_id) ?? []
      list.push(current.subject)
      byBuild.set(row.build_id, list)
    }
    if (row.digest_algorithm !== null && row.digest_value !== null) current.subject.digest[row.digest_algorithm] = row.digest_value
  }
  return byBuild
}

function summaryOut(row: SummaryRow, subjects: SubjectType[]): BuildSummary {
  return BuildSummary.parse({
    id: row.id,
    project: row.project,
    sourceRepo: row.source_repo,
    sourceCommit: row.source_commit,
    builderId: row.builder_id,
    buildType: row.build_type,
    subjects,
    status: row.status,
    failedCheck: row.failed_check,
    startedAt: row.started_at === null ? null : instant(row.started_at),
    finishedAt: row.finished_at === null ? null : instant(row.finished_at),
    ingestedAt: instant(row.ingested_at),
    time: instant(row.time),
  })
}

async function summaries(db: Db, rows: SummaryRow[]): Promise<BuildSummary[]> {
  const subjects = await subjectsOf(
    db,
    rows.map((row) => row.id),
  )
  return rows.map((row) => summaryOut(row, subjects.get(row.id) ?? []))
}

// ---------- digests ----------

/** `algorithm:hex` or bare hex, lower-cased. A bare 64-character value is taken as sha256. */
export function splitDigest(text: string): { algorithm: string | null; value: string } {
  const trimmed = text.trim().toLowerCase()
  const colon = trimmed.indexOf(':')
  return colon > 0 ? { algorithm: trimmed.slice(0, colon), value: trimmed.slice(colon + 1) } : { algorithm: null, value: trimmed }
}

export type DigestResolution =
  | { kind: 'found'; algorithm: string; value: string }
  | { kind: 'none' }
  /** `candidates` holds up to 20 `algorithm:value` strings; `more` says there were others. */
  | { kind: 'ambiguous'; candidates: string[]; more: boolean }

const CANDIDATES = 20

/**
 * Finds the one digest a query names: an exact value first (a bare 64-character value as sha256), else a
 * unique prefix among subjects, SBOM digests and rebuilt artifacts.
 */
export async function resolveDigest(db: Db, kind: StoreKind, text: string): Promise<DigestResolution> {
  const { algorithm: given, value } = splitDigest(text)
  const algorithm = given ?? (value.length === 64 ? 'sha256' : null)
  const exact = await exactDigest(db, value, algorithm)
  if (exact !== null) return { kind: 'found', algorithm: exact, value }
  const found = new Set<string>()
  const add = (rows: { algorithm: string | null; value: string | null }[]) => {
    for (const row of rows) if (row.algorithm !== null && row.value !== null) found.add(`${row.algorithm}:${row.value}`)
  }
  let subjects = db
    .selectFrom('subjects')
    .select(['digest_algorithm as algorithm', 'digest_value as value'])
    .distinct()
    .where(startsWith(kind, 'digest_value', value))
  if (given !== null) subjects = subjects.where('digest_algorithm', '=', given)
  add(await subjects.limit(CANDIDATES + 1).execute())
  let sboms = db
    .selectFrom('sbom_digests')
    .select(['digest_algorithm as algorithm', 'digest_value as value'])
    .distinct()
    .where(startsWith(kind, 'digest_value', value))
  if (given !== null) sboms = sboms.where('digest_algorithm', '=', given)
  add(await sboms.limit(CANDIDATES + 1).execute())
  let rebuilds = db
    .selectFrom('rebuilds')
    .select(['artifact_algorithm as algorithm', 'artifact_digest as value'])
    .distinct()
    .where(startsWith(kind, 'artifact_digest', value))
  if (given !== null) rebuilds = rebuilds.where('artifact_algorithm', '=', given)
  add(await rebuilds.limit(CANDIDATES + 1).execute())
  const candidates = [...found].sort()
  if (candidates.length === 0) return { kind: 'none' }
  const only = candidates.length === 1 ? candidates[0] : undefined
  if (only !== undefined) {
    const { algorithm: foundAlgorithm, value: foundValue } = splitDigest(only)
    return { kind: 'found', algorithm: foundAlgorithm ?? 'sha256', value: foundValue }
  }
  return { kind: 'ambiguous', candidates: candidates.slice(0, CANDIDATES), more: candidates.length > CANDIDATES }
}

/** The algorithm under which `value` is stored as an artifact digest, or null. */
async function exactDigest(db: Db, value: string, algorithm: string | null): Promise<string | null> {
  let subject = db.selectFrom('subjects').select('digest_algorithm as algorithm').where('digest_value', '=', value)
  if (algorithm !== null) subject = subject.where('digest_algorithm', '=', algorithm)
  const a = await subject.limit(1).executeTakeFirst()
  if (a?.algorithm) return a.algorithm
  let sbom = db.selectFrom('sbom_digests').select('digest_algorithm as algorithm').where('digest_value', '=', value)
  if (algorithm !== null) sbom = sbom.where('digest_algorithm', '=', algorithm)
  const b = await sbom.limit(1).executeTakeFirst()
  if (b?.algorithm) return b.algorithm
  let rebuild = db.selectFrom('rebuilds').select('artifact_algorithm as algorithm').where('artifact_digest', '=', value)
  if (algorithm !== null) rebuild = rebuild.where('artifact_algorithm', '=', algorithm)
  const c = await rebuild.limit(1).executeTakeFirst()
  return c?.algorithm ?? null
}

// ---------- artifact ----------

export type ArtifactLookup =
  | { kind: 'found'; artifact: ArtifactDetail }
  | { kind: 'not-found' }
  | { kind: 'ambiguous'; candidates: string[]; more: boolean }

const MAX_ARTIFACT_BUILDS = 20
const MAX_ARTIFACT_REBUILDS = 100
const MAX_ARTIFACT_SBOMS = 20

/** Everything stored about the artifact a digest (full, bare or a unique prefix) names. */
export async function getArtifact(db: Db, kind: StoreKind, text: string): Promise<ArtifactLookup> {
  const resolved = await resolveDigest(db, kind, text)
  if (resolved.kind === 'none') return { kind: 'not-found' }
  if (resolved.kind === 'ambiguous') return resolved
  const { algorithm, value } = resolved
  const digest = `${algorithm}:${value}`

  const subjectRows = await db
    .selectFrom('subjects')
    .select(['build_id', 'position', 'name', 'time'])
    .where('digest_value', '=', value)
    .where('digest_algorithm', '=', algorithm)
    .orderBy('time', 'desc')
    .orderBy('build_id', 'desc')
    .limit(200)
    .execute()
  const buildIds = [...new Set(subjectRows.map((row) => row.build_id))].slice(0, MAX_ARTIFACT_BUILDS)
  const buildRows =
    buildIds.length === 0
      ? []
      : await db.selectFrom('builds').select(summaryColumns).select('builds.predicate_type').where('builds.id', 'in', buildIds).orderBy('builds.time', 'desc').orderBy('builds.id', 'desc').execute()
  const builds = await summaries(db, buildRows)

  const rebuildRows = await db
    .selectFrom('rebuilds')
    .selectAll()
    .where('artifact_digest', '=', value)
    .where('artifact_algorithm', '=', algorithm)
    .orderBy('time', 'desc')
    .orderBy('id', 'desc')
    .limit(MAX_ARTIFACT_REBUILDS)
    .execute()
  const rebuilds = rebuildRows.map(rebuildOut)

  const sbomDocuments = await db
    .selectFrom('sbom_digests')
    .select('document_id')
    .where('digest_value', '=', value)
    .where('digest_algorithm', '=', algorithm)
    .limit(MAX_ARTIFACT_SBOMS)
    .execute()
  const sbom = sbomDocuments.length === 0 ? null : await getSbomFor(db, digest)

  if (builds.length === 0 && rebuilds.length === 0 && sbom === null) return { kind: 'not-found' }

  // Every digest the artifact is known by: the whole digest set of each subject that names it.
  const digests: Record<string, string> = { [algorithm]: value }
  const positions = new Set(subjectRows.map((row) => `${row.build_id}:${row.position}`))
  if (buildIds.length > 0) {
    const rows = await db.selectFrom('subjects').select(['build_id', 'position', 'digest_algorithm', 'digest_value']).where('build_id', 'in', buildIds).execute()
    for (const row of rows) {
      if (positions.has(`${row.build_id}:${row.position}`) && row.digest_algorithm !== null && row.digest_value !== null) {
        digests[row.digest_algorithm] ??= row.digest_value
      }
    }
  }
  for (const rebuild of rebuilds) for (const [name, hex] of Object.entries(rebuild.artifact.digest)) digests[name] ??= hex
  if (sbom !== null && sbom.subject.digest[algorithm] === value) for (const [name, hex] of Object.entries(sbom.subject.digest)) digests[name] ??= hex

  const names: string[] = []
  const addName = (name: string | null) => {
    if (name !== null && name !== '' && !names.includes(name)) names.push(name)
  }
  for (const row of subjectRows) addName(row.name)
  for (const rebuild of rebuilds) addName(rebuild.artifact.name)
  addName(sbom?.subject.name ?? null)

  // Attestations: the provenance naming it, SBOMs about it, rebuild verdicts on it.
  const predicateOf = new Map<string, { predicateType: string | null; buildId: string | null; order: number }>()
  for (const row of buildRows) predicateOf.set(row.id, { predicateType: row.predicate_type, buildId: row.id, order: 0 })
  for (const row of sbomDocuments) if (!predicateOf.has(row.document_id)) predicateOf.set(row.document_id, { predicateType: null, buildId: null, order: 1 })
  for (const row of rebuildRows) {
    if (!predicateOf.has(row.document_id)) {
      predicateOf.set(row.document_id, { predicateType: row.source === 'rebuild-statement' ? REBUILD_PREDICATE_TYPE : null, buildId: null, order: 2 })
    }
  }
  const documentRows =
    predicateOf.size === 0
      ? []
      : await db.selectFrom('documents').select(['id', 'format', 'ingested_at', 'verification']).where('id', 'in', [...predicateOf.keys()]).execute()
  const attestations: ArtifactAttestation[] = documentRows
    .map((row) => {
      const facts = predicateOf.get(row.id)
      return {
        order: facts?.order ?? 3,
        attestation: {
          documentId: row.id,
          format: row.format,
          predicateType: facts?.predicateType ?? null,
          buildId: facts?.buildId ?? null,
          ingestedAt: instant(row.ingested_at),
          verification: Verification.parse(parse(row.verification)),
        },
      }
    })
    .sort((a, b) => a.order - b.order || (a.attestation.ingestedAt < b.attestation.ingestedAt ? 1 : a.attestation.ingestedAt > b.attestation.ingestedAt ? -1 : 0) || (a.attestation.documentId < b.attestation.documentId ? -1 : 1))
    .map(({ attestation }) => attestation as ArtifactAttestation)

  return {
    kind: 'found',
    artifact: ArtifactDetail.parse({
      digest,
      digests,
      names,
      producedBy: builds[0] ?? null,
      builds,
      attestations,
      sbom,
      rebuilds,
      reproducibility: agreement(rebuilds),
      deployments: [],
    }),
  }
}

/** Each rebuilder's latest verdict (rebuilds newest first): how many rebuilders, and how many agree. */
function agreement(rebuilds: readonly Rebuild[]): { rebuilders: number; matched: number; mismatched: number } {
  const latest = new Map<string, Rebuild['verdict']>()
  for (const rebuild of rebuilds) {
    const key = rebuild.rebuilderId ?? UNKNOWN_REBUILDER
    if (!latest.has(key)) latest.set(key, rebuild.verdict)
  }
  const verdicts = [...latest.values()]
  return { rebuilders: verdicts.length, matched: verdicts.filter((v) => v === 'match').length, mismatched: verdicts.filter((v) => v === 'mismatch').length }
}

/** How a verdict without a named rebuilder (a bare diffoscope report) is listed. */
export const UNKNOWN_REBUILDER = 'unknown rebuilder'

// ---------- signatures ----------

const emptyCounts = (): StatusCounts => ({ verified: 0, failed: 0, untrusted: 0, unsigned: 0, unverifiable: 0 })

/** Every verification result, newest ingest first, with counts by status for the same filters (status aside). */
export async function listSignatures(db: Db, query: SignatureQuery): Promise<SignaturePage> {
  const limit = Math.min(Math.max(Math.trunc(query.limit), 1), 500)
  const cursor = query.cursor === undefined ? undefined : decodeCursor(query.cursor)
  const from = query.from === undefined ? undefined : Date.parse(query.from)
  const to = query.to === undefined ? undefined : Date.parse(query.to)

  let filtered = db.selectFrom('documents')
  if (query.project !== undefined) filtered = filtered.where('project', '=', query.project)
  if (query.signer !== undefined) filtered = filtered.where('signer', '=', query.signer)
  if (from !== undefined) filtered = filtered.where('ingested_at', '>=', from)
  if (to !== undefined) filtered = filtered.where('ingested_at', '<', to)

  let page = filtered.select(['id', 'format', 'status', 'failed_check', 'signer', 'project', 'ingested_at'])
  if (query.status !== undefined) {
    // With a project or signer filter, their index (which holds status) serves the page in order; written as an
    // expression, the status test cannot tempt the planner into the status index and a sort.
    const status = query.status
    page =
      query.project !== undefined || query.signer !== undefined
        ? page.where(sql<string>`${sql.ref('status')} || ''`, '=', status)
        : page.where('status', '=', status)
  }
  if (cursor !== undefined) page = page.where((eb) => eb(eb.refTuple('ingested_at', 'id'), '<', eb.tuple(cursor.time, cursor.id)))
  const rows = await page.orderBy('ingested_at', 'desc').orderBy('id', 'desc').limit(limit + 1).execute()
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
  const counts = emptyCounts()
  for (const row of countRows) {
    const status = VerificationStatus.safeParse(row.status)
    if (status.success) counts[status.data] = Number(row.count)
  }

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
      buildId: subjects.builds.has(row.id) ? row.id : null,
      subjects: subjects.byDocument.get(row.id) ?? [],
      ingestedAt: instant(row.ingested_at),
    })),
    nextCursor: rows.length > limit && last !== undefined ? encodeCursor({ time: last.ingested_at, id: last.id }) : null,
    counts,
  })
}

/** What each document is about: a build's subjects, an SBOM's, a VSA's, a link's products, rebuilt artifacts. */
async function documentSubjects(db: Db, ids: string[]): Promise<{ builds: Set<string>; byDocument: Map<string, SubjectType[]> }> {
  const byDocument = new Map<string, SubjectType[]>()
  if (ids.length === 0) return { builds: new Set(), byDocument }
  const builds = new Set((await db.selectFrom('builds').select('id').where('id', 'in', ids).execute()).map((row) => row.id))
  for (const [id, list] of await subjectsOf(db, [...builds])) byDocument.set(id, list)
  const rest = ids.filter((id) => !builds.has(id))
  if (rest.length === 0) return { builds, byDocument }
  const subjectList = z.array(Subject)
  for (const row of await db.selectFrom('sboms').select(['document_id', 'subject_name', 'subject_digest', 'statement_subjects']).where('document_id', 'in', rest).execute()) {
    const statement = subjectList.safeParse(parse(row.statement_subjects))
    const digest = DigestSet.safeParse(parse(row.subject_digest))
    byDocument.set(
      row.document_id,
      statement.success && statement.data.length > 0 ? statement.data : [{ name: row.subject_name ?? '', digest: digest.success ? digest.data : {} }],
    )
  }
  for (const row of await db.selectFrom('vsas').select(['document_id', 'subjects']).where('document_id', 'in', rest).execute()) {
    const parsed = subjectList.safeParse(parse(row.subjects))
    if (parsed.success) byDocument.set(row.document_id, parsed.data)
  }
  for (const row of await db.selectFrom('links').select(['document_id', 'products']).where('document_id', 'in', rest).execute()) {
    const products = z.record(z.string(), DigestSet).safeParse(parse(row.products))
    if (products.success) byDocument.set(row.document_id, Object.entries(products.data).map(([name, digest]) => ({ name, digest })))
  }
  for (const row of await db
    .selectFrom('rebuilds')
    .select(['document_id', 'artifact_name', 'artifact_digests'])
    .where('document_id', 'in', rest)
    .orderBy('document_id')
    .orderBy('position')
    .execute()) {
    const digest = DigestSet.safeParse(parse(row.artifact_digests))
    const list = byDocument.get(row.document_id) ?? []
    list.push({ name: row.artifact_name ?? '', digest: digest.success ? digest.data : {} })
    byDocument.set(row.document_id, list)
  }
  return { builds, byDocument }
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

// ---------- reproducibility ----------

type ProjectCounts = { matched: number; mismatched: number; last: number | null }

/** Per project: counts, current streak, last mismatch. Index-only aggregates plus a few seeks per project. */
export async function reproducibilitySummary(db: Db): Promise<ReproducibilitySummary> {
  const rows = await db
    .selectFrom('rebuilds')
    .select((eb) => ['project', 'verdict', eb.fn.countAll<number>().as('count'), eb.fn.max('time').as('last')])
    .groupBy(['project', 'verdict'])
    .execute()
  const byProject = new Map<string, ProjectCounts>()
  for (const row of rows) {
    const entry = byProject.get(row.project) ?? { matched: 0, mismatched: 0, last: null }
    if (row.verdict === 'match') entry.matched += Number(row.count)
    else entry.mismatched += Number(row.count)
    const last = row.last === null ? null : Number(row.last)
    if (last !== null && (entry.last === null || last > entry.last)) entry.last = last
    byProject.set(row.project, entry)
  }
  const items: ReproducibilityProject[] = []
  for (const project of [...byProject.keys()].sort()) {
    const counts = byProject.get(project) ?? { matched: 0, mismatched: 0, last: null }
    const { currentStreak, lastMismatch } = await streakAndLastMismatch(db, project, counts)
    items.push({
      project,
      rebuilds: counts.matched + counts.mismatched,
      matched: counts.matched,
      mismatched: counts.mismatched,
      currentStreak,
      lastMismatch,
      lastRebuildAt: counts.last === null ? null : instant(counts.last),
    })
  }
  return ReproducibilitySummary.parse({ items })
}

async function streakAndLastMismatch(
  db: Db,
  project: string,
  counts: ProjectCounts,
): Promise<{ currentStreak: { verdict: 'match' | 'mismatch'; length: number } | null; lastMismatch: Rebuild | null }> {
  const newest = await db
    .selectFrom('rebuilds')
    .select(['verdict'])
    .where('project', '=', project)
    .orderBy('time', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst()
  const mismatchRow =
    counts.mismatched === 0
      ? undefined
      : await db.selectFrom('rebuilds').selectAll().where('project', '=', project).where('verdict', '=', 'mismatch').orderBy('time', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirst()
  const lastMismatch = mismatchRow === undefined ? null : rebuildOut(mismatchRow)
  if (newest === undefined) return { currentStreak: null, lastMismatch }
  const verdict = newest.verdict === 'mismatch' ? 'mismatch' : 'match'
  const other = verdict === 'match' ? 'mismatch' : 'match'
  const breaker =
    (verdict === 'match' ? counts.mismatched : counts.matched) === 0
      ? undefined
      : other === 'mismatch' && mismatchRow !== undefined
        ? { time: mismatchRow.time, id: mismatchRow.id }
        : await db.selectFrom('rebuilds').select(['time', 'id']).where('project', '=', project).where('verdict', '=', other).orderBy('time', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirst()
  if (breaker === undefined) return { currentStreak: { verdict, length: counts.matched + counts.mismatched }, lastMismatch }
  const streak = await db
    .selectFrom('rebuilds')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('project', '=', project)
    .where((eb) => eb(eb.refTuple('time', 'id'), '>', eb.tuple(breaker.time, breaker.id)))
    .executeTakeFirstOrThrow()
  return { currentStreak: { verdict, length: Number(streak.count) }, lastMismatch }
}

/** True when any build or rebuild verdict is filed under the project. */
export async function projectExists(db: Db, project: string): Promise<boolean> {
  const rebuild = await db.selectFrom('rebuilds').select('id').where('project', '=', project).limit(1).executeTakeFirst()
  if (rebuild !== undefined) return true
  const build = await db.selectFrom('builds').select('id').where('project', '=', project).limit(1).executeTakeFirst()
  return build !== undefined
}

/**
 * A project's verdicts counted per bucket, every bucket of the range present. Null when no build or rebuild
 * is filed under the project. Counted in SQL from the (project, time, verdict) index alone.
 */
export async function reproducibilityHistory(db: Db, project: string, range: BucketRange): Promise<ReproducibilityHistory | null> {
  if (!(await projectExists(db, project))) return null
  const size = bucketMs(range.size)
  const rows = await db
    .selectFrom('rebuilds')
    .select((eb) => [sql<number>`cast((${eb.ref('time')} - ${range.start}) / ${size} as integer)`.as('bucket'), 'verdict', eb.fn.countAll<number>().as('count')])
    .where('project', '=', project)
    .where('time', '>=', range.start)
    .where('time', '<', range.end)
    .groupBy(['bucket', 'verdict'])
    .execute()
  const buckets = Array.from({ length: range.count }, (_, index) => ({ start: instant(range.start + index * size), matched: 0, mismatched: 0 }))
  let matched = 0
  let mismatched = 0
  for (const row of rows) {
    const bucket = buckets[Number(row.bucket)]
    if (bucket === undefined) continue
    const count = Number(row.count)
    if (row.verdict === 'match') {
      bucket.matched += count
      matched += count
    } else {
      bucket.mismatched += count
      mismatched += count
    }
  }
  const totals = await db
    .selectFrom('rebuilds')
    .select((eb) => ['verdict', eb.fn.countAll<number>().as('count')])
    .where('project', '=', project)
    .groupBy('verdict')
    .execute()
  const counts: ProjectCounts = { matched: 0, mismatched: 0, last: null }
  for (const row of totals) {
    if (row.verdict === 'match') counts.matched += Number(row.count)
    else counts.mismatched += Number(row.count)
  }
  const { currentStreak, lastMismatch } = await streakAndLastMismatch(db, project, counts)
  return ReproducibilityHistory.parse({
    project,
    bucket: range.size,
    from: instant(range.start),
    to: instant(range.end),
    buckets,
    matched,
    mismatched,
    currentStreak,
    lastMismatch,
  })
}

/**
 * Rebuilders × the project's most recently rebuilt artifacts: each rebuilder's latest verdict per artifact.
 * `agree` counts the rebuilders whose latest verdict is a match. Null for an unknown project.
 */
export async function rebuilderMatrix(db: Db, query: MatrixQuery): Promise<RebuilderMatrix | null> {
  if (!(await projectExists(db, query.project))) return null
  const limit = Math.min(Math.max(Math.trunc(query.limit), 1), 200)
  // Walk the project's verdicts newest first until `limit` distinct artifacts are seen (each has a few).
  const artifacts = new Map<string, { algorithm: string; value: string }>()
  let cursor: { time: number; id: string } | undefined
  for (let round = 0; round < 50 && artifacts.size < limit; round++) {
    let select = db
      .selectFrom('rebuilds')
      .select(['id', 'time', 'artifact_algorithm', 'artifact_digest'])
      .where('project', '=', query.project)
    if (cursor !== undefined) {
      const { time, id } = cursor
      select = select.where((eb) => eb(eb.refTuple('time', 'id'), '<', eb.tuple(time, id)))
    }
    const rows = await select.orderBy('time', 'desc').orderBy('id', 'desc').limit(limit * 4).execute()
    for (const row of rows) {
      if (artifacts.size >= limit) break
      if (row.artifact_algorithm === null || row.artifact_digest === null) continue
      const key = `${row.artifact_algorithm}:${row.artifact_digest}`
      if (!artifacts.has(key)) artifacts.set(key, { algorithm: row.artifact_algorithm, value: row.artifact_digest })
    }
    const last = rows.at(-1)
    if (last === undefined || rows.length < limit * 4) break
    cursor = { time: last.time, id: last.id }
  }
  const values = [...new Set([...artifacts.values()].map((artifact) => artifact.value))]
  const rows =
    values.length === 0
      ? []
      : await db
          .selectFrom('rebuilds')
          .select(['id', 'time', 'verdict', 'rebuilder_id', 'artifact_name', 'artifact_algorithm', 'artifact_digest'])
          .where('artifact_digest', 'in', values)
          .orderBy('time', 'desc')
          .orderBy('id', 'desc')
          .execute()
  type Cell = { verdict: 'match' | 'mismatch'; rebuildId: string; time: string }
  const cells = new Map<string, { name: string | null; byRebuilder: Map<string, Cell> }>()
  for (const key of artifacts.keys()) cells.set(key, { name: null, byRebuilder: new Map() })
  const rebuilders = new Set<string>()
  for (const row of rows) {
    const entry = cells.get(`${row.artifact_algorithm}:${row.artifact_digest}`)
    if (entry === undefined) continue
    entry.name ??= row.artifact_name
    const rebuilder = row.rebuilder_id ?? UNKNOWN_REBUILDER
    rebuilders.add(rebuilder)
    if (!entry.byRebuilder.has(rebuilder)) entry.byRebuilder.set(rebuilder, { verdict: row.verdict === 'mismatch' ? 'mismatch' : 'match', rebuildId: row.id, time: instant(row.time) })
  }
  const order = [...rebuilders].sort()
  return RebuilderMatrix.parse({
    project: query.project,
    rebuilders: order,
    artifacts: [...cells.entries()].map(([digest, entry]) => {
      const row = order.map((rebuilder) => entry.byRebuilder.get(rebuilder) ?? null)
      return {
        name: entry.name,
        digest,
        cells: row,
        agree: row.filter((cell) => cell?.verdict === 'match').length,
        total: row.filter((cell) => cell !== null).length,
      }
    }),
  })
}

// ---------- neighbours ----------

/** The same project's builds just before and after, by (time, id); null when the build is unknown. */
export async function buildNeighbours(db: Db, id: string): Promise<BuildNeighbours | null> {
  const build = await db.selectFrom('builds').select(['project', 'time', 'id']).where('id', '=', id).executeTakeFirst()
  if (build === undefined) return null
  const previous = await db
    .selectFrom('builds')
    .select(summaryColumns)
    .where('builds.project', '=', build.project)
    .where((eb) => eb(eb.refTuple('builds.time', 'builds.id'), '<', eb.tuple(build.time, build.id)))
    .orderBy('builds.time', 'desc')
    .orderBy('builds.id', 'desc')
    .limit(1)
    .executeTakeFirst()
  const next = await db
    .selectFrom('builds')
    .select(summaryColumns)
    .where('builds.project', '=', build.project)
    .where((eb) => eb(eb.refTuple('builds.time', 'builds.id'), '>', eb.tuple(build.time, build.id)))
    .orderBy('builds.time', 'asc')
    .orderBy('builds.id', 'asc')
    .limit(1)
    .executeTakeFirst()
  const [before, afterRow] = await summaries(db, [previous, next].filter((row): row is SummaryRow => row !== undefined)).then((list) => {
    const lookup = new Map(list.map((item) => [item.id as string, item]))
    return [previous === undefined ? null : (lookup.get(previous.id) ?? null), next === undefined ? null : (lookup.get(next.id) ?? null)]
  })
  return BuildNeighbours.parse({ previous: before ?? null, next: afterRow ?? null })
}

// ---------- search ----------

const HEX = /^[0-9a-f]+$/
const ALGORITHM_HEX = /^[a-z0-9-]+:[0-9a-f]+$/

/** Reads the query as a digest, a commit, a build id or text, and finds at most 20 things it names. */
export async function search(db: Db, kind: StoreKind, q: string): Promise<SearchResponse> {
  const query = q.trim()
  const lower = query.toLowerCase()
  const respond = (interpretedAs: SearchResponse['interpretedAs'], results: SearchResult[]) =>
    SearchResponse.parse({ query, interpretedAs, results: results.slice(0, MAX_SEARCH_RESULTS) })

  const bareHex = HEX.test(lower)
  if (bareHex && lower.length === 64) {
    const build = await db.selectFrom('builds').select(summaryColumns).where('builds.id', '=', lower).executeTakeFirst()
    if (build !== undefined) {
      const artifacts = await digestResults(db, kind, lower)
      return respond('build-id', [buildResult(build, 'build', build.project), ...artifacts])
    }
  }
  if (bareHex && lower.length === 40) {
    const builds = await db
      .selectFrom('builds')
      .select(summaryColumns)
      .where('builds.source_commit', '=', lower)
      .orderBy('builds.time', 'desc')
      .orderBy('builds.id', 'desc')
      .limit(MAX_SEARCH_RESULTS)
      .execute()
    if (builds.length > 0) return respond('commit', builds.map((build) => buildResult(build, 'commit', `commit ${lower.slice(0, 12)}`)))
  }
  if ((bareHex && lower.length >= 12) || (ALGORITHM_HEX.test(lower) && (splitDigest(lower).value.length >= 12))) {
    return respond('digest', await digestResults(db, kind, lower))
  }
  return respond('text', await textResults(db, kind, query))
}

function buildResult(build: SummaryRow, resultKind: 'build' | 'commit', title: string): SearchResult {
  return {
    kind: resultKind,
    title,
    detail: `${build.project} · built ${instant(build.time)} · ${build.status}`,
    target: { type: 'build', id: BuildId.parse(build.id) },
  }
}

/** Artifacts whose digest is, or starts with, the query: the exact one alone, else up to 20 candidates. */
async function digestResults(db: Db, kind: StoreKind, text: string): Promise<SearchResult[]> {
  const resolved = await resolveDigest(db, kind, text)
  const digests = resolved.kind === 'found' ? [`${resolved.algorithm}:${resolved.value}`] : resolved.kind === 'ambiguous' ? resolved.candidates : []
  const results: SearchResult[] = []
  for (const digest of digests) {
    const { algorithm, value } = splitDigest(digest)
    const newest = await db
      .selectFrom('subjects')
      .innerJoin('builds', 'builds.id', 'subjects.build_id')
      .select(['subjects.name', 'builds.project', 'builds.time'])
      .where('subjects.digest_value', '=', value)
      .where('subjects.digest_algorithm', '=', algorithm ?? 'sha256')
      .orderBy('subjects.time', 'desc')
      .limit(1)
      .executeTakeFirst()
    const rebuilt =
      newest === undefined
        ? await db.selectFrom('rebuilds').select(['artifact_name', 'project', 'time']).where('artifact_digest', '=', value).orderBy('time', 'desc').limit(1).executeTakeFirst()
        : undefined
    const name = newest?.name ?? rebuilt?.artifact_name ?? null
    const where = newest ? `${newest.project} · built ${instant(newest.time)}` : rebuilt ? `${rebuilt.project} · rebuilt ${instant(rebuilt.time)}` : 'described by an SBOM'
    results.push({ kind: 'artifact', title: name ?? `${algorithm}:${short(value)}`, detail: `${algorithm}:${short(value)} · ${where}`, target: { type: 'artifact', digest } })
  }
  return results
}

/** Up to `limit` distinct values of `column` starting with `prefix`, in byte order, one index seek each. */
async function distinctPrefixed(
  db: Db,
  kind: StoreKind,
  table: 'subjects' | 'sboms' | 'documents',
  column: 'name' | 'subject_purl' | 'signer',
  prefix: string,
  limit: number,
): Promise<string[]> {
  const values: string[] = []
  let last: string | undefined
  while (values.length < limit) {
    // One lower bound per query (the prefix, then the last value), so each step is one seek, not a scan past
    // every row of the values already seen.
    const select = db
      .selectFrom(table)
      .select(sql<string>`${sql.ref(column)}`.as('value'))
      .where(last === undefined ? startsWith(kind, column, prefix) : between(kind, column, last, prefix))
    const row = await select.orderBy(textKey(kind, column)).limit(1).executeTakeFirst()
    if (row === undefined || row.value === null) break
    values.push(row.value)
    last = row.value
  }
  return values
}

/** Artifact names and purls starting with the text, and signer identities; exact matches first. */
async function textResults(db: Db, kind: StoreKind, text: string): Promise<SearchResult[]> {
  const exact: SearchResult[] = []
  const prefixed: SearchResult[] = []
  const place = (value: string, result: SearchResult) => (value === text ? exact : prefixed).push(result)

  for (const name of await distinctPrefixed(db, kind, 'subjects', 'name', text, MAX_SEARCH_RESULTS)) {
    const newest = await db
      .selectFrom('subjects')
      .innerJoin('builds', 'builds.id', 'subjects.build_id')
      .select(['subjects.digest_algorithm', 'subjects.digest_value', 'builds.project', 'builds.time'])
      .where('subjects.name', '=', name)
      .where('subjects.digest_value', 'is not', null)
      .orderBy('subjects.time', 'desc')
      .orderBy('subjects.build_id', 'desc')
      .limit(1)
      .executeTakeFirst()
    if (newest?.digest_algorithm == null || newest.digest_value === null) continue
    place(name, {
      kind: 'artifact',
      title: name,
      detail: `${newest.project} · newest built ${instant(newest.time)} · ${newest.digest_algorithm}:${short(newest.digest_value)}`,
      target: { type: 'artifact', digest: `${newest.digest_algorithm}:${newest.digest_value}` },
    })
  }
  for (const purl of await distinctPrefixed(db, kind, 'sboms', 'subject_purl', text, MAX_SEARCH_RESULTS)) {
    const sbom = await db
      .selectFrom('sboms')
      .select(['subject_name', 'subject_version', 'subject_digest', 'statement_subjects'])
      .where('subject_purl', '=', purl)
      .orderBy('ingested_at', 'desc')
      .orderBy('document_id', 'desc')
      .limit(1)
      .executeTakeFirst()
    if (sbom === undefined) continue
    const digest = sbomDigest(sbom.subject_digest, sbom.statement_subjects)
    if (digest === null) continue
    place(purl, {
      kind: 'package',
      title: purl,
      detail: `SBOM of ${[sbom.subject_name, sbom.subject_version].filter((part) => part !== null).join(' ') || 'an artifact'} · ${short(digest)}`,
      target: { type: 'artifact', digest },
    })
  }
  for (const signer of await distinctPrefixed(db, kind, 'documents', 'signer', text, MAX_SEARCH_RESULTS)) {
    // A bounded count: "1000+" is as useful as the exact figure and costs nothing on a busy signer.
    const counted = await db
      .selectFrom((eb) => eb.selectFrom('documents').select('id').where('signer', '=', signer).limit(1000).as('capped'))
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .executeTakeFirstOrThrow()
    const count = Number(counted.count)
    place(signer, {
      kind: 'signer',
      title: signer,
      detail: `signer of ${count >= 1000 ? '1,000+' : count} document${count === 1 ? '' : 's'}`,
      target: { type: 'signatures', signer },
    })
  }
  return [...exact, ...prefixed]
}

/** The digest an SBOM's subject is found by: its described component's sha256, else its first in-toto subject's. */
function sbomDigest(subjectDigest: string, statementSubjects: string): string | null {
  const own = DigestSet.safeParse(parse(subjectDigest))
  const candidates = [own.success ? own.data : {}, ...(z.array(Subject).safeParse(parse(statementSubjects)).data ?? []).map((subject) => subject.digest)]
  for (const digest of candidates) {
    const algorithm = digest.sha256 !== undefined ? 'sha256' : Object.keys(digest).sort()[0]
    const value = algorithm === undefined ? undefined : digest[algorithm]
    if (algorithm !== undefined && value !== undefined) return `${algorithm}:${value}`
  }
  return null
}
