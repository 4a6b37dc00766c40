import { VerificationStatus } from '../../src/contract/common'
import { DEPLOYMENT_PREDICATE_TYPE } from '../../src/contract/deployments'
import { rebuiltAs, stateOfStatus, vsaClaim } from '../../domain/lineage-edges'
import { membersOf, type AttestationFact, type RebuildNodeFact, type SbomFact } from '../../domain/lineage-walk'
import { vsasForDigests } from '../documents/attestation-index'
import { VSA_V02, VSA_V1 } from '../ingest/vsa'
import { parseJson, type Db } from '../store/db'
import { membersLoader, type Ask } from './batch'
import { hexOf, membersByKey, noStates } from './members'

/* The lineage reader's questions about an artifact's evidence: its SBOMs, its rebuilds and its attestations. */

export function evidenceLoaders(db: Db) {
  const sbomsOf = membersLoader<SbomFact>((asks) =>
    membersByKey(asks, {
      counts: async (keys) =>
        (
          await db
            .selectFrom('sbom_digests')
            .innerJoin('documents', 'documents.id', 'sbom_digests.document_id')
            .select((eb) => ['sbom_digests.digest_value', 'documents.status', eb.fn.count<number>('documents.id').distinct().as('count')])
            .where('sbom_digests.digest_algorithm', '=', 'sha256')
            .where('sbom_digests.digest_value', 'in', keys.map(hexOf))
            .groupBy(['sbom_digests.digest_value', 'documents.status'])
            .execute()
        ).map((row) => ({ key: `sha256:${row.digest_value}`, count: row.count, judged: { state: stateOfStatus(VerificationStatus.parse(row.status)), reason: '' } })),
      rows: (keys) => sboms().where('sbom_digests.digest_value', 'in', keys.map(hexOf)).execute(),
      newest: (key, limit) => sboms().where('sbom_digests.digest_value', '=', hexOf(key)).limit(limit).execute(),
      keyOf: (row) => `sha256:${row.digest_value}`,
      items: (rows) =>
        rows.map((row) => ({
          documentId: row.document_id,
          standard: row.standard === 'spdx' ? ('spdx' as const) : ('cyclonedx' as const),
          specVersion: row.spec_version,
          componentCount: row.component_count,
          status: VerificationStatus.parse(row.status),
          failedCheck: row.failed_check,
          ingestedAt: row.ingested_at,
        })),
    }),
  )
  // An SBOM naming the digest twice (under two algorithms' rows of one value) is one member.
  const sboms = () =>
    db
      .selectFrom('sbom_digests')
      .innerJoin('sboms', 'sboms.document_id', 'sbom_digests.document_id')
      .innerJoin('documents', 'documents.id', 'sboms.document_id')
      .select(['sbom_digests.digest_value', 'sboms.document_id', 'sboms.standard', 'sboms.spec_version', 'sboms.component_count', 'documents.status', 'documents.failed_check', 'documents.ingested_at'])
      .distinct()
      .where('sbom_digests.digest_algorithm', '=', 'sha256')
      .orderBy('documents.ingested_at', 'desc')
      .orderBy('sboms.document_id', 'desc')

  const rebuildsOf = membersLoader<RebuildNodeFact>((asks) =>
    membersByKey(asks, {
      counts: async (keys) =>
        (
          await db
            .selectFrom('rebuilds')
            .select((eb) => ['artifact_digest', 'verdict', 'status', eb.fn.countAll<number>().as('count')])
            .where('artifact_algorithm', '=', 'sha256')
            .where('artifact_digest', 'in', keys.map(hexOf))
            .groupBy(['artifact_digest', 'verdict', 'status'])
            .execute()
        ).map((row) => ({
          key: row.artifact_digest === null ? null : `sha256:${row.artifact_digest}`,
          count: row.count,
          judged: rebuiltAs({ verdict: row.verdict === 'mismatch' ? 'mismatch' : 'match', status: VerificationStatus.parse(row.status), rebuilderId: null, rebuiltDigest: null }),
        })),
      rows: (keys) => rebuilds().where('artifact_digest', 'in', keys.map(hexOf)).execute(),
      newest: (key, limit) => rebuilds().where('artifact_digest', '=', hexOf(key)).limit(limit).execute(),
      keyOf: (row) => (row.artifact_digest === null ? null : `sha256:${row.artifact_digest}`),
      items: (rows) =>
        rows.map((row) => {
          const rebuilt = parseJson(row.rebuilt_digests)
          const hex = typeof rebuilt === 'object' && rebuilt !== null && 'sha256' in rebuilt && typeof rebuilt.sha256 === 'string' ? rebuilt.sha256 : null
          return {
            id: row.id,
            documentId: row.document_id,
            rebuilderId: row.rebuilder_id,
            verdict: row.verdict === 'mismatch' ? ('mismatch' as const) : ('match' as const),
            rebuiltDigest: hex === null ? null : `sha256:${hex}`,
            status: VerificationStatus.parse(row.status),
            time: row.time,
          }
        }),
    }),
  )
  const rebuilds = () => db.selectFrom('rebuilds').selectAll().where('artifact_algorithm', '=', 'sha256').orderBy('time', 'desc').orderBy('id', 'desc')

  /** The signed deployment records naming a digest: their attestations. */
  const deploymentAttestationsOf = (asks: readonly Ask[]) =>
    membersByKey<DeploymentAttestationRow, AttestationFact>(asks, {
      counts: async (keys) =>
        (
          await db
            .selectFrom('deployment_artifacts')
            .innerJoin('deployments', 'deployments.id', 'deployment_artifacts.deployment_id')
            .innerJoin('documents', 'documents.id', 'deployments.document_id')
            .select((eb) => ['deployment_artifacts.digest_value', 'documents.status', eb.fn.countAll<number>().as('count')])
            .where('deployment_artifacts.digest_value', 'in', keys.map(hexOf))
            .groupBy(['deployment_artifacts.digest_value', 'documents.status'])
            .execute()
        ).map((row) => ({ key: `sha256:${row.digest_value}`, count: row.count, judged: { state: stateOfStatus(VerificationStatus.parse(row.status)), reason: '' } })),
      rows: (keys) => deploymentAttestations().where('deployment_artifacts.digest_value', 'in', keys.map(hexOf)).execute(),
      newest: (key, limit) => deploymentAttestations().where('deployment_artifacts.digest_value', '=', hexOf(key)).limit(limit).execute(),
      keyOf: (row) => `sha256:${row.digest_value}`,
      items: (rows) =>
        rows.map((row) => ({
          documentId: row.id,
          format: row.format,
          predicateType: DEPLOYMENT_PREDICATE_TYPE,
          status: VerificationStatus.parse(row.status),
          failedCheck: row.failed_check,
          signer: row.signer,
          ingestedAt: row.ingested_at,
          deploymentId: row.deployment_id,
          vsa: null,
        })),
    })

  /**
   * An artifact's attestations: its deployment attestations and the VSAs naming it (migration 0020's subject index,
   * read through vsasForDigests), newest first. VSAs of an artifact are few, so they are read whole and counted here.
   */
  const attestationsOf = membersLoader<AttestationFact>(async (asks) => {
    const [deployed, vsas] = await Promise.all([deploymentAttestationsOf(asks), vsasForDigests(db, asks.map((ask) => ask.key))])
    const vsaIds = [...new Set([...vsas.values()].flat().map((vsa) => vsa.documentId))]
    const documents = vsaIds.length === 0 ? [] : await db.selectFrom('documents').select(['id', 'format', 'signer']).where('id', 'in', vsaIds).execute()
    const byId = new Map(documents.map((row) => [row.id, row]))
    return asks.map((ask, index) => {
      const own = deployed[index] ?? { total: 0, items: [], states: noStates() }
      const facts = (vsas.get(ask.key) ?? []).map(
        (vsa): AttestationFact => ({
          documentId: vsa.documentId,
          format: byId.get(vsa.documentId)?.format ?? 'dsse',
          predicateType: vsa.vsaVersion === 'v1' ? VSA_V1 : VSA_V02,
          status: vsa.status,
          failedCheck: vsa.failedCheck,
          signer: byId.get(vsa.documentId)?.signer ?? null,
          ingestedAt: Date.parse(vsa.ingestedAt),
          deploymentId: null,
          vsa: { verifierId: vsa.verifierId, result: vsa.verificationResult, levels: vsa.verifiedLevels, policyUri: vsa.policyUri, timeVerified: vsa.timeVerified },
        }),
      )
      const judged = membersOf(facts, (fact) => vsaClaim({ verifierId: '', result: fact.vsa?.result ?? 'FAILED', levels: [] }, fact.status, fact.failedCheck))
      const items = [...own.items, ...facts].sort((a, b) => b.ingestedAt - a.ingestedAt || (a.documentId < b.documentId ? 1 : -1)).slice(0, ask.limit)
      return {
        total: own.total + judged.total,
        items,
        states: { verified: own.states.verified + judged.states.verified, failed: own.states.failed + judged.states.failed, unverified: own.states.unverified + judged.states.unverified },
      }
    })
  })
  type DeploymentAttestationRow = Awaited<ReturnType<ReturnType<typeof deploymentAttestations>['execute']>>[number]
  const deploymentAttestations = () =>
    db
      .selectFrom('deployment_artifacts')
      .innerJoin('deployments', 'deployments.id', 'deployment_artifacts.deployment_id')
      .innerJoin('documents', 'documents.id', 'deployments.document_id')
      .select(['deployment_artifacts.digest_value', 'deployments.id as deployment_id', 'documents.id', 'documents.format', 'documents.status', 'documents.failed_check', 'documents.signer', 'documents.ingested_at'])
      .orderBy('deployment_artifacts.deployed_at', 'desc')
      .orderBy('deployments.id', 'desc')

  // States need each deployment's record kind and, when signed, its attestation's verdict, counted per (kind,

  return { sbomsOf, rebuildsOf, attestationsOf }
}
