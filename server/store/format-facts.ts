import { createHash } from 'node:crypto'
import type { Kysely, Selectable } from 'kysely'
import { z } from 'zod'
import { DigestSet, Subject, VerificationStatus } from '../../src/contract/common'
import { DiffoscopeSummary, Rebuild, RebuildPage, type RebuildQuery } from '../../src/contract/rebuilds'
import { Sbom, SbomTool } from '../../src/contract/sboms'
import { decodeCursor, encodeCursor } from './cursor'
import type { Database, RebuildsTable } from './schema'
import type { DocumentExtras, DocumentRecord, RebuildRecord } from './types'

/*
 * Rows for the facts of SBOMs, VSAs, in-toto links and rebuild verdicts (migration 0003), written inside the
 * ingest transaction beside their document, and the two reads over them. Kept out of store.ts so that file
 * only gains the calls.
 */

/** `sha256:<hex>` → { algorithm: "sha256", value }; a bare value matches any algorithm. */
export function parseDigestQuery(text: string): { algorithm: string | null; value: string } {
  const trimmed = text.trim().toLowerCase()
  const colon = trimmed.indexOf(':')
  return colon > 0 ? { algorithm: trimmed.slice(0, colon), value: trimmed.slice(colon + 1) } : { algorithm: null, value: trimmed }
}

/** The digest a rebuild is indexed by: sha256 when the artifact has one, else its first algorithm by name. */
function preferredDigest(digest: Record<string, string>): { algorithm: string; value: string } | null {
  const algorithm = digest.sha256 !== undefined ? 'sha256' : Object.keys(digest).sort()[0]
  const value = algorithm === undefined ? undefined : digest[algorithm]
  return algorithm === undefined || value === undefined ? null : { algorithm, value }
}

const json = (value: unknown): string => JSON.stringify(value ?? null)
const jsonOrNull = (value: unknown): string | null => (value === undefined || value === null ? null : JSON.stringify(value))

/** Writes a document's extra facts. Called once per newly stored document, inside the ingest transaction. */
export async function insertExtras(trx: Kysely<Database>, document: DocumentRecord, extras: DocumentExtras): Promise<void> {
  const { sbom, vsa, link, rebuilds } = extras
  if (sbom !== undefined) {
    await trx
      .insertInto('sboms')
      .values({
        document_id: document.id,
        standard: sbom.standard,
        spec_version: sbom.specVersion,
        serial: sbom.serial,
        subject_name: sbom.subject.name,
        subject_version: sbom.subject.version,
        subject_purl: sbom.subject.purl,
        subject_digest: json(sbom.subject.digest),
        statement_subjects: json(sbom.statementSubjects),
        component_count: sbom.componentCount,
        tools: json(sbom.tools),
        formulation: jsonOrNull(sbom.formulation),
        ingested_at: document.ingestedAt,
      })
      .execute()
    const digests = new Map<string, { algorithm: string; value: string }>()
    for (const digest of [sbom.subject.digest, ...sbom.statementSubjects.map((subject) => subject.digest)]) {
      for (const [algorithm, value] of Object.entries(digest)) digests.set(`${algorithm}:${value}`, { algorithm, value })
    }
    const rows = [...digests.values()].map(({ algorithm, value }) => ({ document_id: document.id, digest_algorithm: algorithm, digest_value: value }))
    for (let start = 0; start < rows.length; start += 1000) await trx.insertInto('sbom_digests').values(rows.slice(start, start + 1000)).execute()
  }
  if (vsa !== undefined) {
    await trx
      .insertInto('vsas')
      .values({
        document_id: document.id,
        vsa_version: vsa.vsaVersion,
        verifier_id: vsa.verifierId,
        time_verified: vsa.timeVerified,
        resource_uri: vsa.resourceUri,
        policy: jsonOrNull(vsa.policy),
        verification_result: vsa.verificationResult,
        verified_levels: json(vsa.verifiedLevels),
        input_attestations: json(vsa.inputAttestations),
        subjects: json(vsa.subjects),
      })
      .execute()
  }
  if (link !== undefined) {
    await trx
      .insertInto('links')
      .values({
        document_id: document.id,
        name: link.name,
        command: json(link.command),
        materials: json(link.materials),
        products: json(link.products),
        byproducts: jsonOrNull(link.byproducts),
        environment: jsonOrNull(link.environment),
        keyids: json(link.keyids),
      })
      .execute()
  }
  let project: string | null = null
  for (const [position, rebuild] of (rebuilds ?? []).entries()) {
    const row = await rebuildRow(trx, document, position, rebuild)
    project ??= row.project
    await trx.insertInto('rebuilds').values(row).execute()
  }
  // A rebuild document belongs to the project its verdicts were filed under, so signatures filter by it.
  if (project !== null) await trx.updateTable('documents').set({ project }).where('id', '=', document.id).where('project', 'is', null).execute()
}

async function rebuildRow(trx: Kysely<Database>, document: DocumentRecord, position: number, rebuild: RebuildRecord): Promise<RebuildsTable> {
  const digest = preferredDigest(rebuild.artifact.digest)
  // The verdict is about an artifact; its history belongs with the project that built it, when that build is here.
  const built = digest
    ? await trx
        .selectFrom('subjects')
        .innerJoin('builds', 'builds.id', 'subjects.build_id')
        .select('builds.project')
        .where('subjects.digest_value', '=', digest.value)
        .where('subjects.digest_algorithm', '=', digest.algorithm)
        .orderBy('builds.time', 'desc')
        .limit(1)
        .executeTakeFirst()
    : undefined
  return {
    id: createHash('sha256').update(`${document.id}:${position}`).digest('hex'),
    document_id: document.id,
    position,
    rebuilder_id: rebuild.rebuilderId,
    project: built?.project ?? rebuild.artifact.name ?? 'unknown',
    artifact_name: rebuild.artifact.name,
    artifact_algorithm: digest?.algorithm ?? null,
    artifact_digest: digest?.value ?? null,
    artifact_digests: json(rebuild.artifact.digest),
    rebuilt_digests: json(rebuild.rebuiltDigest),
    verdict: rebuild.verdict,
    source: rebuild.source,
    status: document.verification.status,
    started_at: rebuild.startedAt,
    finished_at: rebuild.finishedAt,
    ingested_at: document.ingestedAt,
    time: rebuild.finishedAt ?? rebuild.startedAt ?? document.ingestedAt,
    diffoscope: jsonOrNull(rebuild.diffoscope),
  }
}

const instant = (ms: number) => new Date(ms).toISOString()
const parse = (text: string): unknown => JSON.parse(text)

export function rebuildOut(row: Selectable<RebuildsTable>): Rebuild {
  return Rebuild.parse({
    id: row.id,
    documentId: row.document_id,
    rebuilderId: row.rebuilder_id,
    project: row.project,
    artifact: { name: row.artifact_name, digest: DigestSet.parse(parse(row.artifact_digests)) },
    rebuiltDigest: DigestSet.parse(parse(row.rebuilt_digests)),
    verdict: row.verdict,
    source: row.source,
    status: VerificationStatus.parse(row.status),
    startedAt: row.started_at === null ? null : instant(row.started_at),
    finishedAt: row.finished_at === null ? null : instant(row.finished_at),
    time: instant(row.time),
    diffoscope: row.diffoscope === null ? null : DiffoscopeSummary.parse(parse(row.diffoscope)),
  })
}

/** Rebuild verdicts newest first, filtered by artifact digest and/or project, one keyset page at a time. */
export async function listRebuilds(db: Kysely<Database>, query: RebuildQuery): Promise<RebuildPage> {
  const limit = Math.min(Math.max(Math.trunc(query.limit), 1), 500)
  const cursor = query.cursor === undefined ? undefined : decodeCursor(query.cursor)
  let select = db.selectFrom('rebuilds').selectAll()
  if (query.artifactDigest !== undefined) {
    const { algorithm, value } = parseDigestQuery(query.artifactDigest)
    select = select.where('artifact_digest', '=', value)
    if (algorithm !== null) select = select.where('artifact_algorithm', '=', algorithm)
  }
  if (query.project !== undefined) select = select.where('project', '=', query.project)
  if (cursor !== undefined) select = select.where((eb) => eb(eb.refTuple('time', 'id'), '<', eb.tuple(cursor.time, cursor.id)))
  const rows = await select.orderBy('time', 'desc').orderBy('id', 'desc').limit(limit + 1).execute()
  const page = rows.slice(0, limit)
  const last = page.at(-1)
  return RebuildPage.parse({
    items: page.map(rebuildOut),
    nextCursor: rows.length > limit && last !== undefined ? encodeCursor({ time: last.time, id: last.id }) : null,
  })
}

/** The most recently stored SBOM about the artifact with this digest, or null. */
export async function getSbomFor(db: Kysely<Database>, digest: string): Promise<Sbom | null> {
  const { algorithm, value } = parseDigestQuery(digest)
  let select = db
    .selectFrom('sbom_digests')
    .innerJoin('sboms', 'sboms.document_id', 'sbom_digests.document_id')
    .innerJoin('documents', 'documents.id', 'sboms.document_id')
    .selectAll('sboms')
    .select(['documents.format as document_format', 'documents.status as document_status'])
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
    subject: { name: row.subject_name, version: row.subject_version, purl: row.subject_purl, digest: DigestSet.parse(parse(row.subject_digest)) },
    statementSubjects: z.array(Subject).parse(parse(row.statement_subjects)),
    componentCount: row.component_count,
    tools: z.array(SbomTool).parse(parse(row.tools)),
    formulation: row.formulation === null ? null : parse(row.formulation),
    status: VerificationStatus.parse(row.document_status),
    ingestedAt: instant(row.ingested_at),
  })
}
