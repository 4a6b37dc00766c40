import { createHash } from 'node:crypto'
import type { Kysely } from 'kysely'
import { z } from 'zod'
import { DigestSet, Subject } from '../../src/contract/common'
import { preferredDigest } from '../../domain/digests'
import { describedDigests, sameBuildTargets, type SbomDescription } from '../artifacts/sbom-links'
import { insertAttestedDeployment } from '../deployments/store'
import { countSignature } from '../signatures/store'
import { indexAttestationSubjects } from './attestation-index'
import { parseJson } from '../store/db'
import type { Database, RebuildsTable } from '../store/schema'
import type { DocumentExtras, DocumentRecord, RebuildRecord } from './records'

/*
 * Rows for the facts of SBOMs, VSAs, in-toto links and rebuild verdicts (migration 0003), written inside the
 * ingest transaction beside their document. An SBOM is linked to the digests it names and, when its file is a
 * subject of a build, to that build's subjects it describes (server/artifacts/sbom-links.ts, migration 0009),
 * whichever of the two documents is stored first.
 */

const json = (value: unknown): string => JSON.stringify(value ?? null)

const jsonOrNull = (value: unknown): string | null => (value === undefined || value === null ? null : JSON.stringify(value))

/** Writes a document's extra facts. Called once per newly stored document, inside the ingest transaction. */
export async function insertExtras(trx: Kysely<Database>, document: DocumentRecord, extras: DocumentExtras): Promise<void> {
  const { sbom, vsa, link, rebuilds } = extras
  if (extras.deployment !== undefined) await insertAttestedDeployment(trx, document, extras.deployment)
  if (sbom !== undefined) {
    // A bare SBOM's stored bytes are the file itself, so its id is the digest a build lists when it wrote it.
    const fileSha256 = BARE_SBOM_FORMATS.has(document.format) ? document.id : null
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
        file_sha256: fileSha256,
        created_at: sbom.createdAt ?? null,
      })
      .execute()
    const rows = describedDigests(sbom).map(({ algorithm, value }) => ({ document_id: document.id, digest_algorithm: algorithm, digest_value: value, build_id: null }))
    for (let start = 0; start < rows.length; start += 1000) await trx.insertInto('sbom_digests').values(rows.slice(start, start + 1000)).execute()
    if (fileSha256 !== null) {
      const writers = await trx.selectFrom('subjects').select('build_id').distinct().where('digest_value', '=', fileSha256).where('digest_algorithm', '=', 'sha256').limit(MAX_WRITING_BUILDS).execute()
      for (const { build_id: buildId } of writers) await linkThroughBuild(trx, document.id, sbom, fileSha256, buildId, await buildSubjects(trx, buildId))
    }
    // Filed under the project that built what it describes, so the signatures list filters it with that project.
    const project = await describedProject(trx, document.id)
    if (project !== null) await trx.updateTable('documents').set({ project }).where('id', '=', document.id).where('project', 'is', null).execute()
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
    await indexAttestationSubjects(trx, document.id, 'vsa', vsa.subjects)
  }
  if (extras.testResult !== undefined) {
    const tests = extras.testResult
    await trx
      .insertInto('test_results')
      .values({
        document_id: document.id,
        result: tests.result,
        url: tests.url,
        configuration: json(tests.configuration),
        passed_count: tests.passed,
        warned_count: tests.warned,
        failed_count: tests.failed,
        failed_tests: json(tests.failedTests),
        subjects: json(tests.subjects),
      })
      .execute()
    await indexAttestationSubjects(trx, document.id, 'test-result', tests.subjects)
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

/** The formats whose stored bytes are the SBOM file itself (not an envelope or Statement around it). */
const BARE_SBOM_FORMATS = new Set(['cyclonedx-json', 'spdx-json', 'spdx3-jsonld'])

/** Builds that list one SBOM file are re-runs of one job; a bound keeps a hostile history from costing more. */
const MAX_WRITING_BUILDS = 50

/** A build's subjects with their digest sets, in order. */
async function buildSubjects(trx: Kysely<Database>, buildId: string): Promise<Subject[]> {
  const rows = await trx.selectFrom('subjects').select(['position', 'name', 'digest_algorithm', 'digest_value']).where('build_id', '=', buildId).orderBy('position').execute()
  const byPosition = new Map<number, Subject>()
  for (const row of rows) {
    const subject = byPosition.get(row.position) ?? { name: row.name, digest: {} }
    if (row.digest_algorithm !== null && row.digest_value !== null) subject.digest[row.digest_algorithm] = row.digest_value
    byPosition.set(row.position, subject)
  }
  return [...byPosition.values()]
}

/** Links an SBOM to the subjects of the build that wrote it which it describes (server/artifacts/sbom-links.ts). */
async function linkThroughBuild(trx: Kysely<Database>, documentId: string, sbom: SbomDescription, fileSha256: string, buildId: string, subjects: readonly Subject[]): Promise<number> {
  let linked = 0
  for (const target of sameBuildTargets(sbom, fileSha256, subjects)) {
    for (const [algorithm, value] of Object.entries(target.digest)) {
      const inserted = await trx
        .insertInto('sbom_digests')
        .values({ document_id: documentId, digest_algorithm: algorithm, digest_value: value, build_id: buildId })
        .onConflict((oc) => oc.columns(['document_id', 'digest_algorithm', 'digest_value']).doNothing())
        .executeTakeFirst()
      linked += Number(inserted.numInsertedOrUpdatedRows ?? 0)
    }
  }
  return linked
}

/** The project of the newest build listing a digest the SBOM describes, or null. */
async function describedProject(trx: Kysely<Database>, documentId: string): Promise<string | null> {
  const digests = await trx.selectFrom('sbom_digests').select(['digest_algorithm', 'digest_value']).where('document_id', '=', documentId).limit(100).execute()
  let newest: { project: string; time: number } | undefined
  for (const digest of digests) {
    const built = await trx
      .selectFrom('subjects')
      .innerJoin('builds', 'builds.id', 'subjects.build_id')
      .select(['builds.project', 'builds.time'])
      .where('subjects.digest_value', '=', digest.digest_value)
      .where('subjects.digest_algorithm', '=', digest.digest_algorithm)
      .orderBy('subjects.time', 'desc')
      .limit(1)
      .executeTakeFirst()
    if (built !== undefined && (newest === undefined || built.time > newest.time)) newest = built
  }
  return newest?.project ?? null
}

/**
 * Links the SBOMs a newly stored build wrote (bare SBOM files among its subjects, stored earlier) to its other
 * subjects they describe, and files an SBOM that had no project under the build's. Called in the ingest
 * transaction after the build's subjects are stored.
 */
export async function linkSbomsWrittenBy(trx: Kysely<Database>, buildId: string, project: string, subjects: readonly Subject[]): Promise<void> {
  const files = [...new Set(subjects.flatMap((subject) => (subject.digest.sha256 === undefined ? [] : [subject.digest.sha256])))]
  if (files.length === 0) return
  const sboms = await trx
    .selectFrom('sboms')
    .select(['document_id', 'file_sha256', 'subject_name', 'subject_purl', 'subject_digest', 'statement_subjects'])
    .where('file_sha256', 'in', files.slice(0, 1000))
    .execute()
  for (const row of sboms) {
    if (row.file_sha256 === null) continue
    const description: SbomDescription = {
      subject: { name: row.subject_name, purl: row.subject_purl, digest: DigestSet.catch({}).parse(parseJson(row.subject_digest)) },
      statementSubjects: z.array(Subject).catch([]).parse(parseJson(row.statement_subjects)),
    }
    const linked = await linkThroughBuild(trx, row.document_id, description, row.file_sha256, buildId, subjects)
    if (linked === 0) continue
    const stored = await trx.selectFrom('documents').select('project').where('id', '=', row.document_id).executeTakeFirst()
    if (stored === undefined || stored.project !== null) continue
    // Its signature count moves with it from "no project" to the build's.
    await countSignature(trx, row.document_id, -1)
    await trx.updateTable('documents').set({ project }).where('id', '=', row.document_id).execute()
    await countSignature(trx, row.document_id, 1)
  }
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
