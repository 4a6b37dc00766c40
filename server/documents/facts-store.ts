import { createHash } from 'node:crypto'
import type { Kysely } from 'kysely'
import { preferredDigest } from '../../domain/digests'
import { insertAttestedDeployment } from '../deployments/store'
import type { Database, RebuildsTable } from '../store/schema'
import type { DocumentExtras, DocumentRecord, RebuildRecord } from './records'

/*
 * Rows for the facts of SBOMs, VSAs, in-toto links and rebuild verdicts (migration 0003), written inside the
 * ingest transaction beside their document.
 */

const json = (value: unknown): string => JSON.stringify(value ?? null)

const jsonOrNull = (value: unknown): string | null => (value === undefined || value === null ? null : JSON.stringify(value))

/** Writes a document's extra facts. Called once per newly stored document, inside the ingest transaction. */
export async function insertExtras(trx: Kysely<Database>, document: DocumentRecord, extras: DocumentExtras): Promise<void> {
  const { sbom, vsa, link, rebuilds } = extras
  if (extras.deployment !== undefined) await insertAttestedDeployment(trx, document, extras.deployment)
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
