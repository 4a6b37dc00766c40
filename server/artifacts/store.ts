import { z } from 'zod'
import { ArtifactDetail, ArtifactPage, type ArtifactAttestation, type ArtifactListQuery } from '../../src/contract/artifacts'
import { DigestSet, Subject, Verification, VerificationStatus } from '../../src/contract/common'
import { REBUILD_PREDICATE_TYPE } from '../../src/contract/rebuilds'
import { Sbom, SbomTool } from '../../src/contract/sboms'
import { artifactsListedPerBuild } from '../../domain/artifact-list'
import { splitDigest } from '../../domain/digests'
import { agreement } from '../../domain/reproducibility'
import { summaries, summaryColumns } from '../builds/summaries'
import { artifactDeployments } from '../deployments/store'
import { rebuildOut } from '../rebuilds/rows'
import { instant, parseJson, type Db, type StoreKind } from '../store/db'
import { StoreQueryError } from '../store/errors'
import { startsWith } from '../store/text-keys'

/*
 * One artifact, found by its digest: the builds that name it as a subject, the documents about it (provenance,
 * SBOMs, rebuild verdicts) with their verification, and how many rebuilders agree. Every lookup by digest or
 * digest prefix is a range on an index.
 */

export interface ArtifactRepository {
  /** The artifact a digest names (`algorithm:hex`, bare hex, or a unique prefix of at least 12 hex characters). */
  get(digest: string): Promise<ArtifactLookup>
  /** The most recently stored SBOM describing the artifact with this digest (`sha256:<hex>` or a bare value). */
  sbomFor(digest: string): Promise<Sbom | null>
  /** The one digest a query names, or the candidates when a prefix names several. */
  resolve(digest: string): Promise<DigestResolution>
  /** Recently built artifacts, newest build first, by project and name, a keyset page at a time. */
  list(query: ArtifactListQuery): Promise<ArtifactPage>
}

export function artifactRepository(db: Db, kind: StoreKind): ArtifactRepository {
  return {
    get: (digest) => getArtifact(db, kind, digest),
    sbomFor: (digest) => getSbomFor(db, digest),
    resolve: (digest) => resolveDigest(db, kind, digest),
    list: (query) => listArtifacts(db, query),
  }
}

/** The sort key of the last artifact on a page: its build's time and id, and its place in the build's subjects. */
type ArtifactCursor = { time: number; buildId: string; position: number }

const artifactCursor = /^(-?\d{1,16}):([0-9a-f]{64}):(\d{1,9})$/

function encodeArtifactCursor(cursor: ArtifactCursor): string {
  return Buffer.from(`${cursor.time}:${cursor.buildId}:${cursor.position}`, 'utf8').toString('base64url')
}

/** Cursors come back from clients: anything this server did not issue is a 400 naming `cursor`, never a 500. */
function decodeArtifactCursor(text: string): ArtifactCursor {
  const match = /^[A-Za-z0-9_-]+$/.test(text) ? artifactCursor.exec(Buffer.from(text, 'base64url').toString('utf8')) : null
  const [, time, buildId, position] = match ?? []
  if (time === undefined || buildId === undefined || position === undefined || !Number.isSafeInteger(Number(time))) {
    throw new StoreQueryError('invalid-cursor', 'cursor is not one this server issued; drop it to start from the first page', 'cursor')
  }
  return { time: Number(time), buildId, position: Number(position) }
}

/**
 * Build subjects with a sha256 digest, newest build first (then build id, then position, all descending), the first
 * `perBuild` of each build unless listed by name (domain/artifact-list.ts). Without a project the page is a range of
 * `subjects_time_build_position` (or, by name, `subjects_name_time_build_position`); by project it walks
 * `builds_project_time_id` and seeks each build's subjects, so every page is an index range. The last artifact listed
 * of a build says how many more it has: one grouped count on `subjects_build_position_algorithm` for the page.
 */
async function listArtifacts(db: Db, query: ArtifactListQuery): Promise<ArtifactPage> {
  const limit = Math.min(Math.max(Math.trunc(query.limit), 1), 200)
  const cursor = query.cursor === undefined ? undefined : decodeArtifactCursor(query.cursor)
  // By project alone the build's columns lead, so the plan walks the project's builds in order.
  const byBuild = query.project !== undefined && query.name === undefined
  const time = byBuild ? 'builds.time' : 'subjects.time'
  const buildId = byBuild ? 'builds.id' : 'subjects.build_id'
  let select = db
    .selectFrom('subjects')
    .innerJoin('builds', 'builds.id', 'subjects.build_id')
    .select(['subjects.name', 'subjects.digest_value', 'subjects.build_id', 'subjects.position', 'builds.project', 'builds.time', 'builds.status'])
    .where('subjects.digest_algorithm', '=', 'sha256')
  if (query.project !== undefined) select = select.where('builds.project', '=', query.project)
  if (query.name !== undefined) select = select.where('subjects.name', '=', query.name)
  const perBuild = artifactsListedPerBuild(query)
  if (perBuild !== null) select = select.where('subjects.position', '<', perBuild)
  if (cursor !== undefined) {
    select = select.where((eb) => eb(eb.refTuple(time, buildId, 'subjects.position'), '<', eb.tuple(cursor.time, cursor.buildId, cursor.position)))
  }
  const rows = await select.orderBy(time, 'desc').orderBy(buildId, 'desc').orderBy('subjects.position', 'desc').limit(limit + 1).execute()
  const page = rows.slice(0, limit)
  const last = page.at(-1)
  // The rows that end their build's part of the list: the next row (the one past the page included) is another's.
  const ends = page.map((row, index) => rows[index + 1]?.build_id !== row.build_id)
  const more = perBuild === null ? new Map<string, number>() : await moreInBuilds(db, [...new Set(page.filter((_, index) => ends[index]).map((row) => row.build_id))], perBuild)
  return ArtifactPage.parse({
    items: page.map((row, index) => ({
      digest: `sha256:${row.digest_value ?? ''}`,
      name: row.name,
      buildId: row.build_id,
      project: row.project,
      time: instant(row.time),
      status: row.status,
      moreInBuild: ends[index] ? (more.get(row.build_id) ?? 0) : 0,
    })),
    nextCursor: rows.length > limit && last !== undefined ? encodeArtifactCursor({ time: last.time, buildId: last.build_id, position: last.position }) : null,
  })
}

/** For each build, how many of its sha256 subjects are at or past `perBuild` in its list (none: absent). */
async function moreInBuilds(db: Db, buildIds: string[], perBuild: number): Promise<Map<string, number>> {
  if (buildIds.length === 0) return new Map()
  const rows = await db
    .selectFrom('subjects')
    .select((eb) => ['build_id', eb.fn.countAll().as('more')])
    .where('build_id', 'in', buildIds)
    .where('position', '>=', perBuild)
    .where('digest_algorithm', '=', 'sha256')
    .groupBy('build_id')
    .execute()
  return new Map(rows.map((row) => [row.build_id, Number(row.more)]))
}

export type DigestResolution =
  | { kind: 'found'; algorithm: string; value: string }
  | { kind: 'none' }
  /** `candidates` holds up to 20 `algorithm:value` strings; `more` says there were others. */
  | { kind: 'ambiguous'; candidates: string[]; more: boolean }

const CANDIDATES = 20

/**
 * Finds the one digest a query names: an exact value first (a bare 64-character value as sha256), else a
 * unique prefix among subjects, SBOM digests, rebuilt artifacts and what other documents are about.
 */
async function resolveDigest(db: Db, kind: StoreKind, text: string): Promise<DigestResolution> {
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
  let about = db
    .selectFrom('attestation_subjects')
    .select(['digest_algorithm as algorithm', 'digest_value as value'])
    .distinct()
    .where(startsWith(kind, 'digest_value', value))
  if (given !== null) about = about.where('digest_algorithm', '=', given)
  add(await about.limit(CANDIDATES + 1).execute())
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
  if (c?.algorithm) return c.algorithm
  let about = db.selectFrom('attestation_subjects').select('digest_algorithm as algorithm').where('digest_value', '=', value)
  if (algorithm !== null) about = about.where('digest_algorithm', '=', algorithm)
  const d = await about.limit(1).executeTakeFirst()
  return d?.algorithm ?? null
}

export type ArtifactLookup =
  | { kind: 'found'; artifact: ArtifactDetail }
  | { kind: 'not-found' }
  | { kind: 'ambiguous'; candidates: string[]; more: boolean }

const MAX_ARTIFACT_BUILDS = 20

const MAX_ARTIFACT_REBUILDS = 100

const MAX_ARTIFACT_SBOMS = 20

/** Documents about the artifact found by digest alone (signatures, VSAs, other Statements), newest first. */
const MAX_ARTIFACT_DOCUMENTS = 50

/** Everything stored about the artifact a digest (full, bare or a unique prefix) names. */
async function getArtifact(db: Db, kind: StoreKind, text: string): Promise<ArtifactLookup> {
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

  // Every other document about it, by the digests its reader found: message signatures, cosign signatures, VSAs,
  // test results and other Statements (a build's own document is among the builds above).
  const aboutRows = await db
    .selectFrom('attestation_subjects')
    .innerJoin('documents', 'documents.id', 'attestation_subjects.document_id')
    .select(['attestation_subjects.document_id'])
    .where('attestation_subjects.digest_value', '=', value)
    .where('attestation_subjects.digest_algorithm', '=', algorithm)
    .orderBy('documents.ingested_at', 'desc')
    .orderBy('attestation_subjects.document_id', 'desc')
    .limit(MAX_ARTIFACT_DOCUMENTS)
    .execute()

  if (builds.length === 0 && rebuilds.length === 0 && sbom === null && aboutRows.length === 0) return { kind: 'not-found' }
  const deployments = algorithm === 'sha256' ? await artifactDeployments(db, value) : []

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
  // The SBOM's component name is this artifact's only when the SBOM names it by this digest: a package described
  // without a hash (or an image's SBOM attested by Statement subjects) may be named differently from the file.
  if (sbom !== null && sbom.subject.digest[algorithm] === value) addName(sbom.subject.name)

  // Attestations: the provenance naming it, SBOMs about it, rebuild verdicts on it, then every other document about it.
  const predicateOf = new Map<string, { predicateType: string | null; buildId: string | null; order: number }>()
  for (const row of buildRows) predicateOf.set(row.id, { predicateType: row.predicate_type, buildId: row.id, order: 0 })
  for (const row of sbomDocuments) if (!predicateOf.has(row.document_id)) predicateOf.set(row.document_id, { predicateType: null, buildId: null, order: 1 })
  for (const row of rebuildRows) {
    if (!predicateOf.has(row.document_id)) {
      predicateOf.set(row.document_id, { predicateType: row.source === 'rebuild-statement' ? REBUILD_PREDICATE_TYPE : null, buildId: null, order: 2 })
    }
  }
  for (const row of aboutRows) if (!predicateOf.has(row.document_id)) predicateOf.set(row.document_id, { predicateType: null, buildId: null, order: 3 })
  const documentRows =
    predicateOf.size === 0
      ? []
      : await db.selectFrom('documents').select(['id', 'format', 'ingested_at', 'verification']).where('id', 'in', [...predicateOf.keys()]).execute()
  const attestations: ArtifactAttestation[] = documentRows
    .map((row) => {
      const facts = predicateOf.get(row.id)
      return {
        order: facts?.order ?? 4,
        attestation: {
          documentId: row.id,
          format: row.format,
          predicateType: facts?.predicateType ?? null,
          buildId: facts?.buildId ?? null,
          ingestedAt: instant(row.ingested_at),
          verification: Verification.parse(parseJson(row.verification)),
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
      deployments,
    }),
  }
}

/** The most recently stored SBOM about the artifact with this digest, or null. */
async function getSbomFor(db: Db, digest: string): Promise<Sbom | null> {
  const { algorithm, value } = splitDigest(digest)
  let select = db
    .selectFrom('sbom_digests')
    .innerJoin('sboms', 'sboms.document_id', 'sbom_digests.document_id')
    .innerJoin('documents', 'documents.id', 'sboms.document_id')
    .selectAll('sboms')
    .select(['documents.format as document_format', 'documents.status as document_status', 'sbom_digests.build_id as via_build'])
    .where('sbom_digests.digest_value', '=', value)
  if (algorithm !== null) select = select.where('sbom_digests.digest_algorithm', '=', algorithm)
  const row = await select.orderBy('sboms.ingested_at', 'desc').orderBy('sboms.document_id', 'desc').limit(1).executeTakeFirst()
  if (row === undefined) return null
  return Sbom.parse({
    documentId: row.document_id,
    format: row.document_format,
    standard: row.standard,
    specVersion: row.spec_version,
    serial: row.serial,
    subject: { name: row.subject_name, version: row.subject_version, purl: row.subject_purl, digest: DigestSet.parse(parseJson(row.subject_digest)) },
    statementSubjects: z.array(Subject).parse(parseJson(row.statement_subjects)),
    componentCount: row.component_count,
    tools: z.array(SbomTool).parse(parseJson(row.tools)),
    formulation: row.formulation === null ? null : parseJson(row.formulation),
    status: VerificationStatus.parse(row.document_status),
    ingestedAt: instant(row.ingested_at),
    createdAt: row.created_at === null ? null : instant(row.created_at),
    viaBuild: row.via_build,
  })
}
