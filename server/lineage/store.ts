import type { Selectable } from 'kysely'
import { z } from 'zod'
import { ResolvedDependency } from '../../src/contract/builds'
import { VerificationStatus } from '../../src/contract/common'
import { DEPLOYMENT_PREDICATE_TYPE } from '../../src/contract/deployments'
import { GateArtifactDecision } from '../../src/contract/gate'
import type { LineageGateDecision, LineagePulledFrom, LineageQuery } from '../../src/contract/lineage'
import { judgeProvenance } from '../../domain/deployment-provenance'
import { dependencyRefs, dependsOn, deploymentRecord, produced, rebuiltAs, stateOfStatus, vsaClaim, type Judged } from '../../domain/lineage-edges'
import {
  membersOf,
  walkLineage,
  type ArtifactFacts,
  type ArtifactRef,
  type AttestationFact,
  type BuildFact,
  deploymentFact,
  type DeploymentFact,
  type LineageOutcome,
  type LineageReader,
  type Members,
  type RebuildNodeFact,
  type SbomFact,
} from '../../domain/lineage-walk'
import { provenanceFacts, readDeployments } from '../deployments/store'
import { vsasForDigests } from '../documents/attestation-index'
import { VSA_V02, VSA_V1 } from '../ingest/vsa'
import { instant, parseJson, type Db, type StoreKind } from '../store/db'
import type { DeploymentsTable } from '../store/schema'
import { startsWith, textKey } from '../store/text-keys'
import { coalesce, membersLoader, type Ask } from './batch'

/*
 * The lineage reader over the store: each question the walk (domain/lineage-walk.ts) asks is one or two index
 * seeks: builds by commit on (source_commit, time, id), by digest on subjects(digest_value), dependants on
 * build_dependencies(digest_value, time, build_id), deployments by digest on deployment_artifacts(digest_value,
 * deployed_at), by environment on (environment, recorded_by, document_id), evidence on sbom_digests and rebuilds
 * by digest. A group of thousands is counted and its states summed in SQL from indexes; only the members shown
 * are read.
 */

/** The index of resolved dependencies migration 0019 keeps; only lineage reads it, so it is typed here. */
type BuildDependenciesTable = { build_id: string; digest_value: string; time: number }

export interface LineageRepository {
  graph(query: LineageQuery): Promise<LineageOutcome>
}

export function lineageRepository(db: Db, kind: StoreKind): LineageRepository {
  return { graph: (query) => walkLineage(remembering(lineageReader(db, kind)), query) }
}

/**
 * One walk asks for the same environment from each of its deployments, and for an artifact's facts from each
 * relation that reaches it: within one request the answers cannot change enough to matter, so each is asked once.
 */
function remembering(reader: LineageReader): LineageReader {
  const environments = new Map<string, ReturnType<LineageReader['environment']>>()
  const artifacts = new Map<string, Promise<ArtifactFacts | undefined>>()
  return {
    ...reader,
    environment: (name) => {
      let found = environments.get(name)
      if (found === undefined) {
        found = reader.environment(name)
        environments.set(name, found)
      }
      return found
    },
    artifacts: async (refs) => {
      const found = await Promise.all(
        refs.map((ref) => {
          const key = `${ref.digest}\n${ref.name ?? ''}`
          let facts = artifacts.get(key)
          if (facts === undefined) {
            facts = reader.artifacts([ref]).then((answer) => answer[0])
            artifacts.set(key, facts)
          }
          return facts
        }),
      )
      return found.flatMap((facts) => (facts === undefined ? [] : [facts]))
    },
  }
}

const hexOf = (digest: string) => digest.replace(/^sha256:/, '')
const Dependencies = z.array(ResolvedDependency)
const StoredArtifacts = z.array(GateArtifactDecision)
const noStates = () => ({ verified: 0, failed: 0, unverified: 0 })

const buildColumns = [
  'builds.id',
  'builds.document_id',
  'builds.project',
  'builds.status',
  'builds.failed_check',
  'builds.builder_id',
  'builds.build_type',
  'builds.source_repo',
  'builds.source_commit',
  'builds.time',
  'documents.signer',
] as const

type BuildRow = {
  id: string
  document_id: string
  project: string
  status: string
  failed_check: string | null
  builder_id: string | null
  build_type: string | null
  source_repo: string | null
  source_commit: string | null
  time: number
  signer: string | null
}

function buildFact(row: BuildRow): BuildFact {
  return {
    id: row.id,
    documentId: row.document_id,
    project: row.project,
    status: VerificationStatus.parse(row.status),
    failedCheck: row.failed_check,
    builderId: row.builder_id,
    buildType: row.build_type,
    sourceRepo: row.source_repo,
    sourceCommit: row.source_commit,
    time: row.time,
    signer: row.signer,
  }
}


type DeploymentRow = Selectable<DeploymentsTable>

/** Counts per key, each row's members judged alike: a key's total and its edge states. */
type Counted = { key: string | null; count: number | string | bigint; judged: Judged }

function tally(rows: readonly Counted[]): Map<string, { total: number; states: Record<'verified' | 'failed' | 'unverified', number> }> {
  const byKey = new Map<string, { total: number; states: Record<'verified' | 'failed' | 'unverified', number> }>()
  for (const row of rows) {
    if (row.key === null) continue
    const entry = byKey.get(row.key) ?? { total: 0, states: noStates() }
    entry.total += Number(row.count)
    entry.states[row.judged.state] += Number(row.count)
    byKey.set(row.key, entry)
  }
  return byKey
}

/**
 * Members of many keys in a few statements: every key counted in one (an index range each), the rows of every key
 * that has no more than its limit read in one `in (...)`, and only a key with more (a group: a busy commit, an
 * environment) read alone, newest first up to its limit, so thousands of members are counted and never read.
 */
async function membersByKey<Row, T>(
  asks: readonly Ask[],
  spec: {
    counts: (keys: string[]) => Promise<Counted[]>
    /** Every row of the keys, each with its key; newest first within a key. */
    rows: (keys: string[]) => Promise<Row[]>
    /** The newest `limit` rows of one key. */
    newest: (key: string, limit: number) => Promise<Row[]>
    keyOf: (row: Row) => string | null
    items: (rows: Row[]) => Promise<T[]> | T[]
  },
): Promise<Members<T>[]> {
  const keys = [...new Set(asks.map((ask) => ask.key))]
  if (keys.length === 0) return []
  const counted = tally(await spec.counts(keys))
  const whole = asks.filter((ask) => ask.limit > 0 && (counted.get(ask.key)?.total ?? 0) > 0 && (counted.get(ask.key)?.total ?? 0) <= ask.limit).map((ask) => ask.key)
  const partial = asks.filter((ask) => ask.limit > 0 && (counted.get(ask.key)?.total ?? 0) > ask.limit)
  const [all, ...newest] = await Promise.all([whole.length === 0 ? Promise.resolve([]) : spec.rows(whole), ...partial.map((ask) => spec.newest(ask.key, ask.limit))])
  const rows = [...all, ...newest.flat()]
  const items = await spec.items(rows)
  const byKey = new Map<string, T[]>()
  rows.forEach((row, index) => {
    const key = spec.keyOf(row)
    const item = items[index]
    if (key === null || item === undefined) return
    const list = byKey.get(key) ?? []
    list.push(item)
    byKey.set(key, list)
  })
  return asks.map((ask) => {
    const count = counted.get(ask.key)
    return { total: count?.total ?? 0, states: count?.states ?? noStates(), items: (byKey.get(ask.key) ?? []).slice(0, ask.limit) }
  })
}

/** A build of one status, standing for all of them when a count is judged: every build of one status is judged alike. */
const buildOfStatus = (status: string): BuildFact => ({
  id: '',
  documentId: '',
  project: '',
  status: VerificationStatus.parse(status),
  failedCheck: null,
  builderId: null,
  buildType: null,
  sourceRepo: null,
  sourceCommit: null,
  time: 0,
  signer: null,
})

export function lineageReader(db: Db, kind: StoreKind): LineageReader {
  const builds = () => db.selectFrom('builds').innerJoin('documents', 'documents.id', 'builds.document_id').select(buildColumns)
  const dependencies = db.withTables<{ build_dependencies: BuildDependenciesTable }>()

  /**
   * Each service's current deployment in an environment, in one statement (the newest not replaced, one index
   * seek a service), asked once per environment a request meets: deployments listed from one environment or a
   * few need no query per service to say which of them run now.
   */
  const currents = new Map<string, Promise<{ services: number; ids: Set<string> }>>()
  const currentIn = (environment: string) => {
    let found = currents.get(environment)
    if (found === undefined) {
      found = db
        .selectFrom(db.selectFrom('deployments').select('service').distinct().where('environment', '=', environment).as('services'))
        .select((eb) => [
          'services.service',
          eb
            .selectFrom('deployments as d')
            .select('d.id')
            .where('d.environment', '=', environment)
            .whereRef('d.service', '=', 'services.service')
            .where((inner) => inner.not(inner.exists(inner.selectFrom('deployments as r').select('r.id').whereRef('r.replaces', '=', 'd.id'))))
            .orderBy('d.deployed_at', 'desc')
            .orderBy('d.id', 'desc')
            .limit(1)
            .as('id'),
        ])
        .execute()
        .then((rows) => ({ services: rows.length, ids: new Set(rows.flatMap((row) => (row.id === null ? [] : [row.id]))) }))
      currents.set(environment, found)
    }
    return found
  }
  const currentOf = async (rows: readonly { environment: string }[]): Promise<Set<string>> => {
    const ids = new Set<string>()
    const answers = await Promise.all([...new Set(rows.map((row) => row.environment))].map(currentIn))
    for (const answer of answers) for (const id of answer.ids) ids.add(id)
    return ids
  }
  const deploymentFacts = async (rows: readonly DeploymentRow[]): Promise<DeploymentFact[]> => (await readDeployments(db, rows, await currentOf(rows))).map(deploymentFact)

  /** Deployment records judged per (record kind, attestation status): the states of a count. */
  const judgedDeployment = (recordedBy: string, status: string | null): Judged =>
    deploymentRecord({ recordedBy: recordedBy === 'attestation' ? 'attestation' : 'api', signature: status === null ? null : VerificationStatus.parse(status) })

  const buildsOfCommit = membersLoader<BuildFact>((asks) =>
    membersByKey(asks, {
      counts: async (keys) =>
        (await db.selectFrom('builds').select((eb) => ['source_commit', 'status', eb.fn.countAll<number>().as('count')]).where('source_commit', 'in', keys).groupBy(['source_commit', 'status']).execute()).map((row) => ({
          key: row.source_commit,
          count: row.count,
          judged: { state: stateOfStatus(VerificationStatus.parse(row.status)), reason: '' },
        })),
      rows: (keys) => builds().where('builds.source_commit', 'in', keys).orderBy('builds.time', 'desc').orderBy('builds.id', 'desc').execute(),
      newest: (key, limit) => builds().where('builds.source_commit', '=', key).orderBy('builds.time', 'desc').orderBy('builds.id', 'desc').limit(limit).execute(),
      keyOf: (row) => row.source_commit,
      items: (rows) => rows.map(buildFact),
    }),
  )

  const buildsProducing = membersLoader<BuildFact>((asks) =>
    membersByKey(asks, {
      counts: async (keys) =>
        (
          await db
            .selectFrom('subjects')
            .innerJoin('builds', 'builds.id', 'subjects.build_id')
            .select((eb) => ['subjects.digest_value', 'builds.status', eb.fn.count<number>('builds.id').distinct().as('count')])
            .where('subjects.digest_algorithm', '=', 'sha256')
            .where('subjects.digest_value', 'in', keys.map(hexOf))
            .groupBy(['subjects.digest_value', 'builds.status'])
            .execute()
        ).map((row) => ({ key: row.digest_value === null ? null : `sha256:${row.digest_value}`, count: row.count, judged: produced(buildOfStatus(row.status)) })),
      // A build naming the digest under two names is one member: distinct (digest, build) pairs.
      rows: (keys) =>
        
          db
            .selectFrom('subjects')
            .innerJoin('builds', 'builds.id', 'subjects.build_id')
            .innerJoin('documents', 'documents.id', 'builds.document_id')
            .select([...buildColumns, 'subjects.digest_value'])
            .distinct()
            .where('subjects.digest_algorithm', '=', 'sha256')
            .where('subjects.digest_value', 'in', keys.map(hexOf)).orderBy('builds.time', 'desc').orderBy('builds.id', 'desc').execute(),
      newest: async (key, limit) =>
        (
          await 
            builds().where('builds.id', 'in', db.selectFrom('subjects').select('subjects.build_id').where('subjects.digest_algorithm', '=', 'sha256').where('subjects.digest_value', '=', hexOf(key))).orderBy('builds.time', 'desc').orderBy('builds.id', 'desc')
            .limit(limit)
            .execute()
        ).map((row) => ({ ...row, digest_value: hexOf(key) })),
      keyOf: (row) => (row.digest_value === null ? null : `sha256:${row.digest_value}`),
      items: (rows) => rows.map(buildFact),
    }),
  )

  const buildsDependingOn = membersLoader<BuildFact>((asks) =>
    membersByKey(asks, {
      counts: async (keys) =>
        (
          await dependencies
            .selectFrom('build_dependencies')
            .innerJoin('builds', 'builds.id', 'build_dependencies.build_id')
            .select((eb) => ['build_dependencies.digest_value', 'builds.status', eb.fn.countAll<number>().as('count')])
            .where('build_dependencies.digest_value', 'in', keys.map(hexOf))
            .groupBy(['build_dependencies.digest_value', 'builds.status'])
            .execute()
        ).map((row) => ({ key: `sha256:${row.digest_value}`, count: row.count, judged: dependsOn(buildOfStatus(row.status)) })),
      rows: (keys) => dependants().where('build_dependencies.digest_value', 'in', keys.map(hexOf)).execute(),
      // Newest first along the index, so the few shown of thousands of dependants are read, not all of them.
      newest: (key, limit) => dependants().where('build_dependencies.digest_value', '=', hexOf(key)).limit(limit).execute(),
      keyOf: (row) => `sha256:${row.digest_value}`,
      items: (rows) => rows.map(buildFact),
    }),
  )
  const dependants = () =>
    dependencies
      .selectFrom('build_dependencies')
      .innerJoin('builds', 'builds.id', 'build_dependencies.build_id')
      .innerJoin('documents', 'documents.id', 'builds.document_id')
      .select([...buildColumns, 'build_dependencies.digest_value'])
      .orderBy('build_dependencies.time', 'desc')
      .orderBy('build_dependencies.build_id', 'desc')

  /** A build's subjects, in the provenance's order: few, so read whole. */
  const subjectsOfBuild = coalesce<string, ArtifactRef[]>(async (ids) => {
    const rows = await db
      .selectFrom('subjects')
      .select(['build_id', 'name', 'digest_value'])
      .where('build_id', 'in', [...ids])
      .where('digest_algorithm', '=', 'sha256')
      .orderBy('build_id')
      .orderBy('position')
      .execute()
    const byBuild = groupRows(rows, (row) => row.build_id)
    return ids.map((id) => (byBuild.get(id) ?? []).flatMap((row) => (row.digest_value === null ? [] : [{ digest: `sha256:${row.digest_value}`, name: row.name === '' ? null : row.name }])))
  }, String)

  const dependenciesOfBuild = coalesce<string, ArtifactRef[]>(async (ids) => {
    const rows = await db.selectFrom('builds').select(['id', 'resolved_dependencies']).where('id', 'in', [...ids]).execute()
    const byId = new Map(rows.map((row) => [row.id, row.resolved_dependencies]))
    return ids.map((id) => {
      const text = byId.get(id)
      const parsed = Dependencies.safeParse(text === undefined ? [] : parseJson(text))
      return dependencyRefs(parsed.success ? parsed.data : [])
    })
  }, String)

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
  // status). A digest has few deployments: one join from its own index.
  const deploymentsOf = membersLoader<DeploymentFact>((asks) =>
    membersByKey(asks, {
      counts: async (keys) =>
        (
          await db
            .selectFrom('deployment_artifacts')
            .innerJoin('deployments', 'deployments.id', 'deployment_artifacts.deployment_id')
            .leftJoin('documents', 'documents.id', 'deployments.document_id')
            .select((eb) => ['deployment_artifacts.digest_value', 'deployments.recorded_by', 'documents.status', eb.fn.count<number>('deployments.id').distinct().as('count')])
            .where('deployment_artifacts.digest_value', 'in', keys.map(hexOf))
            .groupBy(['deployment_artifacts.digest_value', 'deployments.recorded_by', 'documents.status'])
            .execute()
        ).map((row) => ({ key: `sha256:${row.digest_value}`, count: row.count, judged: judgedDeployment(row.recorded_by, row.status) })),
      rows: (keys) => deploymentsNaming().where('deployment_artifacts.digest_value', 'in', keys.map(hexOf)).execute(),
      newest: (key, limit) => deploymentsNaming().where('deployment_artifacts.digest_value', '=', hexOf(key)).limit(limit).execute(),
      keyOf: (row) => `sha256:${row.digest_value}`,
      items: (rows) => deploymentFacts(rows),
    }),
  )
  const deploymentsNaming = () =>
    db
      .selectFrom('deployment_artifacts')
      .innerJoin('deployments', 'deployments.id', 'deployment_artifacts.deployment_id')
      .selectAll('deployments')
      .select('deployment_artifacts.digest_value')
      .distinct()
      .orderBy('deployments.deployed_at', 'desc')
      .orderBy('deployments.id', 'desc')

  /**
   * An environment has thousands of deployments: they are counted per kind from the (environment, recorded_by,
   * document_id) index alone, and only the signed ones are joined to their attestations.
   */
  const deploymentsIn = async (environment: string, limit: number): Promise<Members<DeploymentFact>> => {
    const base = () => db.selectFrom('deployments').where('deployments.environment', '=', environment)
    const [kinds, signed] = await Promise.all([
      base().select((eb) => ['deployments.recorded_by', eb.fn.countAll<number>().as('count')]).groupBy('deployments.recorded_by').execute(),
      base()
        .where('deployments.recorded_by', '=', 'attestation')
        .leftJoin('documents', 'documents.id', 'deployments.document_id')
        .select((eb) => ['deployments.recorded_by', 'documents.status', eb.fn.countAll<number>().as('count')])
        .groupBy(['deployments.recorded_by', 'documents.status'])
        .execute(),
    ])
    const counts = [...kinds.filter((row) => row.recorded_by !== 'attestation').map((row) => ({ ...row, status: null })), ...signed]
    const { total, states } = tally(counts.map((row) => ({ key: environment, count: row.count, judged: judgedDeployment(row.recorded_by, row.status) }))).get(environment) ?? { total: 0, states: noStates() }
    if (limit === 0 || total === 0) return { total, items: [], states }
    const rows = await base().selectAll('deployments').orderBy('deployments.deployed_at', 'desc').orderBy('deployments.id', 'desc').limit(limit).execute()
    return { total, items: await deploymentFacts(rows), states }
  }

  const buildsById = coalesce<string, BuildFact | null>(async (ids) => {
    const found = new Map((await builds().where('builds.id', 'in', [...ids]).execute()).map((row) => [row.id, buildFact(row)]))
    return ids.map((id) => found.get(id) ?? null)
  }, String)

  const deploymentsById = coalesce<string, DeploymentFact | null>(async (ids) => {
    const rows = await db.selectFrom('deployments').selectAll().where('id', 'in', [...ids]).execute()
    const found = new Map((await deploymentFacts(rows)).map((fact) => [fact.id, fact]))
    return ids.map((id) => found.get(id) ?? null)
  }, String)

  const artifacts = coalesce<ArtifactRef, ArtifactFacts>((refs) => artifactFacts(db, refs), (ref) => `${ref.digest}\n${ref.name ?? ''}`)

  const some = <T>(items: readonly (T | null)[]): T[] => items.flatMap((item) => (item === null ? [] : [item]))

  return {
    buildsById: async (ids) => some(await Promise.all(ids.map(buildsById))),
    deploymentsById: async (ids) => some(await Promise.all(ids.map(deploymentsById))),

    digestsWithPrefix: async (prefix, limit) => {
      const found = new Set<string>()
      // Distinct values in index order: a digest named by many builds is read once.
      const sources: (() => Promise<{ value: string | null }[]>)[] = [
        () => db.selectFrom('subjects').select(textKey(kind, 'digest_value').as('value')).distinct().where('digest_algorithm', '=', 'sha256').where(startsWith(kind, 'digest_value', prefix)).orderBy('value').limit(limit).execute(),
        () => db.selectFrom('deployment_artifacts').select(textKey(kind, 'digest_value').as('value')).distinct().where(startsWith(kind, 'digest_value', prefix)).orderBy('value').limit(limit).execute(),
        () => db.selectFrom('rebuilds').select(textKey(kind, 'artifact_digest').as('value')).distinct().where('artifact_algorithm', '=', 'sha256').where(startsWith(kind, 'artifact_digest', prefix)).orderBy('value').limit(limit).execute(),
        () => db.selectFrom('sbom_digests').select(textKey(kind, 'digest_value').as('value')).distinct().where('digest_algorithm', '=', 'sha256').where(startsWith(kind, 'digest_value', prefix)).orderBy('value').limit(limit).execute(),
      ]
      for (const source of sources) {
        for (const row of await source()) if (row.value !== null) found.add(`sha256:${row.value}`)
        if (found.size >= limit) break
      }
      return [...found].sort().slice(0, limit)
    },

    commitsWithPrefix: async (prefix, limit) => {
      const exact = prefix.length === 40 || prefix.length === 64
      let select = db.selectFrom('builds').select((eb) => ['source_commit', eb.fn.min('source_repo').as('repo'), eb.fn.min('project').as('project')])
      select = exact ? select.where('source_commit', '=', prefix) : select.where(startsWith(kind, 'source_commit', prefix))
      const rows = await select.groupBy('source_commit').limit(limit).execute()
      return rows.flatMap((row) => (row.source_commit === null ? [] : [{ commit: row.source_commit, repo: row.repo, project: row.project ?? row.source_commit }]))
    },

    environment: async (name) => {
      const current = await currentIn(name)
      if (current.services === 0) return null
      const ids = [...current.ids]
      const latest = ids.length === 0 ? [] : await db.selectFrom('deployments').selectAll().where('id', 'in', ids).execute()
      const read = await readDeployments(db, latest, current.ids)
      return { name, services: current.services, flagged: read.filter(({ deployment }) => deployment.flagged).length }
    },

    artifacts: (refs) => Promise.all(refs.map(artifacts)),

    buildsOfCommit: (commit, limit) => buildsOfCommit(commit, limit),
    buildsProducing: (digest, limit) => buildsProducing(digest, limit),
    buildsDependingOn: (digest, limit) => buildsDependingOn(digest, limit),

    subjectsOf: async (build, limit) => {
      const members = membersOf(await subjectsOfBuild(build.id), () => produced(build))
      return { ...members, items: members.items.slice(0, limit) }
    },

    dependenciesOf: async (build, limit) => {
      const members = membersOf(await dependenciesOfBuild(build.id), () => dependsOn(build))
      return { ...members, items: members.items.slice(0, limit) }
    },

    sbomsOf: (digest, limit) => sbomsOf(digest, limit),
    rebuildsOf: (digest, limit) => rebuildsOf(digest, limit),
    attestationsOf: (digest, limit) => attestationsOf(digest, limit),
    deploymentsOf: (digest, limit) => deploymentsOf(digest, limit),
    deploymentsIn,

    originsOf: async (documentIds) => {
      const origins = new Map<string, LineagePulledFrom>()
      for (const ids of chunked(documentIds)) {
        // The source that stored a document first names its origin; another that met it again later does not.
        const rows = await db
          .selectFrom('source_documents')
          .leftJoin('source_state', 'source_state.name', 'source_documents.source')
          .select(['source_documents.document_id', 'source_documents.source', 'source_documents.origin', 'source_documents.first_seen_at', 'source_state.kind'])
          .where('source_documents.document_id', 'in', ids)
          .orderBy('source_documents.created', 'desc')
          .orderBy('source_documents.first_seen_at', 'asc')
          .orderBy('source_documents.source', 'asc')
          .execute()
        for (const row of rows) {
          if (!origins.has(row.document_id)) origins.set(row.document_id, { source: row.source, kind: row.kind, url: row.origin, at: instant(row.first_seen_at) })
        }
      }
      return origins
    },

    gateDecisionsOf: async (digests, limit) => {
      const decisions = new Map<string, LineageGateDecision[]>()
      if (limit <= 0) return decisions
      for (const values of chunked(digests)) {
        // The newest few of each digest along the (digest, decided_at, decision_id) index, numbered per digest.
        const newest = await db
          .selectFrom((eb) =>
            eb
              .selectFrom('gate_decision_artifacts')
              .select((inner) => [
                'decision_id',
                'digest',
                'decided_at',
                inner.fn.agg<number>('row_number').over((over) => over.partitionBy('digest').orderBy('decided_at', 'desc').orderBy('decision_id', 'desc')).as('rank'),
              ])
              .where('digest', 'in', values)
              .as('ranked'),
          )
          .select(['ranked.decision_id', 'ranked.digest'])
          .where('ranked.rank', '<=', limit)
          .orderBy('ranked.digest')
          .orderBy('ranked.decided_at', 'desc')
          .orderBy('ranked.decision_id', 'desc')
          .execute()
        if (newest.length === 0) continue
        const rows = await db.selectFrom('gate_decisions').selectAll().where('id', 'in', [...new Set(newest.map((row) => row.decision_id))]).execute()
        const byId = new Map(rows.map((row) => [row.id, row]))
        for (const { decision_id: id, digest } of newest) {
          const row = byId.get(id)
          if (row === undefined) continue
          const artifacts = StoredArtifacts.safeParse(parseJson(row.artifacts))
          const own = artifacts.success ? artifacts.data.find((artifact) => artifact.digest === digest) : undefined
          const release = row.decision === 'allow' ? 'allow' : 'deny'
          decisions.set(digest, [
            ...(decisions.get(digest) ?? []),
            {
              id: row.id,
              decision: own?.decision ?? release,
              release,
              policy: row.policy,
              environment: row.environment,
              decidedAt: instant(row.decided_at),
              askedBy: row.asked_by,
              failed: own?.reasons.filter((reason) => !reason.ok).map((reason) => reason.rule) ?? [],
              href: `/api/v1/gate/decisions?digest=${encodeURIComponent(digest)}`,
            },
          ])
        }
      }
      return decisions
    },
  }
}

/** At most 500 values an `in (...)` list, under every engine's parameter limit. */
function chunked<T>(values: readonly T[]): T[][] {
  const out: T[][] = []
  for (let start = 0; start < values.length; start += 500) out.push(values.slice(start, start + 500))
  return out
}

function groupRows<Row>(rows: readonly Row[], keyOf: (row: Row) => string): Map<string, Row[]> {
  const byKey = new Map<string, Row[]>()
  for (const row of rows) {
    const key = keyOf(row)
    const list = byKey.get(key) ?? []
    list.push(row)
    byKey.set(key, list)
  }
  return byKey
}

/** What the graph says of each artifact: its judged provenance, its name, whether anything deployed it. */
async function artifactFacts(db: Db, refs: readonly ArtifactRef[]): Promise<ArtifactFacts[]> {
  const hexes = [...new Set(refs.map((ref) => hexOf(ref.digest)))]
  if (hexes.length === 0) return []
  const [facts, deployed, sboms] = await Promise.all([
    provenanceFacts(db, hexes),
    db.selectFrom('deployment_artifacts').select((eb) => ['digest_value', 'name', eb.fn.countAll<number>().as('count')]).where('digest_value', 'in', hexes).groupBy(['digest_value', 'name']).execute(),
    db.selectFrom('sbom_digests').select('digest_value').where('digest_algorithm', '=', 'sha256').where('digest_value', 'in', hexes).execute(),
  ])
  const deployedCount = new Map<string, { count: number; name: string | null }>()
  for (const row of deployed) {
    const entry = deployedCount.get(row.digest_value) ?? { count: 0, name: null }
    entry.count += Number(row.count)
    entry.name ??= row.name
    deployedCount.set(row.digest_value, entry)
  }
  const described = new Set(sboms.map((row) => row.digest_value))
  return refs.map((ref): ArtifactFacts => {
    const hex = hexOf(ref.digest)
    const fact = facts.get(hex) ?? { builds: [], rebuilds: [] }
    const provenance = judgeProvenance(fact.builds, fact.rebuilds)
    const named = fact.builds.find((build) => build.id === provenance.buildId) ?? fact.builds[0]
    const deployments = deployedCount.get(hex)
    return {
      digest: `sha256:${hex}`,
      name: ref.name ?? named?.name ?? deployments?.name ?? null,
      project: named?.project ?? null,
      provenance,
      deployed: deployments?.count ?? 0,
      known: fact.builds.length > 0 || fact.rebuilds.length > 0 || described.has(hex) || deployments !== undefined,
    }
  })
}
