import { z } from 'zod'
import { ResolvedDependency } from '../../src/contract/builds'
import { VerificationStatus } from '../../src/contract/common'
import { DEPLOYMENT_PREDICATE_TYPE } from '../../src/contract/deployments'
import type { LineageQuery } from '../../src/contract/lineage'
import { judgeProvenance } from '../../domain/deployment-provenance'
import { dependencyRefs, dependsOn, deploymentRecord, produced, rebuiltAs, stateOfStatus, type Judged } from '../../domain/lineage-edges'
import {
  membersOf,
  walkLineage,
  type ArtifactFacts,
  type BuildFact,
  deploymentFact,
  type DeploymentFact,
  type LineageOutcome,
  type LineageReader,
  type Members,
} from '../../domain/lineage-walk'
import { provenanceFacts, readDeployments } from '../deployments/store'
import { parseJson, type Db, type StoreKind } from '../store/db'
import { startsWith, textKey } from '../store/text-keys'

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
  const artifacts = new Map<string, ArtifactFacts>()
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
      const missing = refs.filter((ref) => !artifacts.has(`${ref.digest}\n${ref.name ?? ''}`))
      if (missing.length > 0) for (const [index, facts] of (await reader.artifacts(missing)).entries()) {
        const ref = missing[index]
        if (ref !== undefined) artifacts.set(`${ref.digest}\n${ref.name ?? ''}`, facts)
      }
      return refs.flatMap((ref) => {
        const facts = artifacts.get(`${ref.digest}\n${ref.name ?? ''}`)
        return facts === undefined ? [] : [facts]
      })
    },
  }
}

const hexOf = (digest: string) => digest.replace(/^sha256:/, '')
const Dependencies = z.array(ResolvedDependency)
const noStates = () => ({ verified: 0, failed: 0, unverified: 0 })

const buildColumns = [
  'builds.id',
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


/** Edge states summed over status counts: every member of a status is judged alike. */
function statesOf(rows: readonly { count: number | string | bigint; judged: Judged }[]): Record<'verified' | 'failed' | 'unverified', number> {
  const states = noStates()
  for (const row of rows) states[row.judged.state] += Number(row.count)
  return states
}

export function lineageReader(db: Db, kind: StoreKind): LineageReader {
  const builds = () => db.selectFrom('builds').innerJoin('documents', 'documents.id', 'builds.document_id').select(buildColumns)

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
    for (const environment of new Set(rows.map((row) => row.environment))) for (const id of (await currentIn(environment)).ids) ids.add(id)
    return ids
  }

  const deploymentsWhere = async (
    filter: { digest: string } | { environment: string },
    limit: number,
  ): Promise<Members<DeploymentFact>> => {
    // States need each deployment's record kind and, when signed, its attestation's verdict, counted per (kind,
    // status). A digest has few deployments: one join from its own index. An environment has thousands: they are
    // counted per kind from the (environment, recorded_by, document_id) index alone, and only the signed ones are
    // joined to their attestations.
    const base = () =>
      'digest' in filter
        ? db.selectFrom('deployments').where('deployments.id', 'in', db.selectFrom('deployment_artifacts').select('deployment_id').where('digest_value', '=', hexOf(filter.digest)))
        : db.selectFrom('deployments').where('deployments.environment', '=', filter.environment)
    const byStatus = (select: ReturnType<typeof base>) =>
      select
        .leftJoin('documents', 'documents.id', 'deployments.document_id')
        .select((eb) => ['deployments.recorded_by', 'documents.status', eb.fn.countAll<number>().as('count')])
        .groupBy(['deployments.recorded_by', 'documents.status'])
        .execute()
    let counts: { recorded_by: string; status: string | null; count: number | string | bigint }[]
    if ('digest' in filter) counts = await byStatus(base())
    else {
      const [kinds, signed] = await Promise.all([
        base().select((eb) => ['deployments.recorded_by', eb.fn.countAll<number>().as('count')]).groupBy('deployments.recorded_by').execute(),
        byStatus(base().where('deployments.recorded_by', '=', 'attestation')),
      ])
      counts = [...kinds.filter((row) => row.recorded_by !== 'attestation').map((row) => ({ ...row, status: null })), ...signed]
    }
    const total = counts.reduce((sum, row) => sum + Number(row.count), 0)
    const states = statesOf(
      counts.map((row) => ({
        count: row.count,
        judged: deploymentRecord({ recordedBy: row.recorded_by === 'attestation' ? 'attestation' : 'api', signature: row.status === null ? null : VerificationStatus.parse(row.status) }),
      })),
    )
    if (limit === 0 || total === 0) return { total, items: [], states }
    const rows = await base().selectAll('deployments').orderBy('deployments.deployed_at', 'desc').orderBy('deployments.id', 'desc').limit(limit).execute()
    return { total, items: (await readDeployments(db, rows, await currentOf(rows))).map(deploymentFact), states }
  }

  const buildMembers = async (
    where: { commit: string } | { digest: string } | { dependency: string },
    limit: number,
    judge: (build: BuildFact) => Judged,
  ): Promise<Members<BuildFact>> => {
    const dependencies = db.withTables<{ build_dependencies: BuildDependenciesTable }>()
    const countRows =
      'commit' in where
        ? await db.selectFrom('builds').select((eb) => ['builds.status', eb.fn.countAll<number>().as('count')]).where('builds.source_commit', '=', where.commit).groupBy('builds.status').execute()
        : 'dependency' in where
          ? await dependencies
              .selectFrom('build_dependencies')
              .innerJoin('builds', 'builds.id', 'build_dependencies.build_id')
              .select((eb) => ['builds.status', eb.fn.countAll<number>().as('count')])
              .where('build_dependencies.digest_value', '=', hexOf(where.dependency))
              .groupBy('builds.status')
              .execute()
          : await db
            .selectFrom('subjects')
            .innerJoin('builds', 'builds.id', 'subjects.build_id')
            .select((eb) => ['builds.status', eb.fn.count<number>('builds.id').distinct().as('count')])
            .where('subjects.digest_algorithm', '=', 'sha256')
            .where('subjects.digest_value', '=', hexOf(where.digest))
            .groupBy('builds.status')
            .execute()
    // Every build of one status is judged alike, so a representative judges the count.
    const states = noStates()
    let total = 0
    for (const row of countRows) {
      const status = VerificationStatus.parse(row.status)
      const count = Number(row.count)
      total += count
      states[judge({ id: '', project: '', status, failedCheck: null, builderId: null, buildType: null, sourceRepo: null, sourceCommit: null, time: 0, signer: null }).state] += count
    }
    if (limit === 0 || total === 0) return { total, items: [], states }
    const rows =
      'commit' in where
        ? await builds().where('builds.source_commit', '=', where.commit).orderBy('builds.time', 'desc').orderBy('builds.id', 'desc').limit(limit).execute()
        : 'dependency' in where
          ? // Newest first along the index, so the few shown of thousands of dependants are read, not all of them.
            await dependencies
              .selectFrom('build_dependencies')
              .innerJoin('builds', 'builds.id', 'build_dependencies.build_id')
              .innerJoin('documents', 'documents.id', 'builds.document_id')
              .select(buildColumns)
              .where('build_dependencies.digest_value', '=', hexOf(where.dependency))
              .orderBy('build_dependencies.time', 'desc')
              .orderBy('build_dependencies.build_id', 'desc')
              .limit(limit)
              .execute()
          : await builds()
            .where('builds.id', 'in', db.selectFrom('subjects').select('subjects.build_id').where('subjects.digest_algorithm', '=', 'sha256').where('subjects.digest_value', '=', hexOf(where.digest)))
            .orderBy('builds.time', 'desc')
            .orderBy('builds.id', 'desc')
            .limit(limit)
            .execute()
    return { total, items: rows.map(buildFact), states }
  }

  return {
    buildsById: async (ids) => (ids.length === 0 ? [] : (await builds().where('builds.id', 'in', [...ids]).execute()).map(buildFact)),

    deploymentsById: async (ids) => {
      if (ids.length === 0) return []
      const rows = await db.selectFrom('deployments').selectAll().where('id', 'in', [...ids]).execute()
      return (await readDeployments(db, rows, await currentOf(rows))).map(deploymentFact)
    },

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

    artifacts: async (refs) => {
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
    },

    buildsOfCommit: (commit, limit) => buildMembers({ commit }, limit, (build) => ({ state: stateOfStatus(build.status), reason: '' })),

    buildsProducing: (digest, limit) => buildMembers({ digest }, limit, produced),

    buildsDependingOn: (digest, limit) => buildMembers({ dependency: digest }, limit, dependsOn),

    subjectsOf: async (build, limit) => {
      const rows = await db
        .selectFrom('subjects')
        .select(['name', 'digest_value'])
        .where('build_id', '=', build.id)
        .where('digest_algorithm', '=', 'sha256')
        .orderBy('position')
        .execute()
      const refs = rows.flatMap((row) => (row.digest_value === null ? [] : [{ digest: `sha256:${row.digest_value}`, name: row.name === '' ? null : row.name }]))
      const members = membersOf(refs, () => produced(build))
      return { ...members, items: members.items.slice(0, limit) }
    },

    dependenciesOf: async (build, limit) => {
      const row = await db.selectFrom('builds').select('resolved_dependencies').where('id', '=', build.id).executeTakeFirst()
      const parsed = Dependencies.safeParse(row === undefined ? [] : parseJson(row.resolved_dependencies))
      const members = membersOf(dependencyRefs(parsed.success ? parsed.data : []), () => dependsOn(build))
      return { ...members, items: members.items.slice(0, limit) }
    },

    sbomsOf: async (digest, limit) => {
      const rows = await db
        .selectFrom('sbom_digests')
        .innerJoin('sboms', 'sboms.document_id', 'sbom_digests.document_id')
        .innerJoin('documents', 'documents.id', 'sboms.document_id')
        .select(['sboms.document_id', 'sboms.standard', 'sboms.spec_version', 'sboms.component_count', 'documents.status', 'documents.failed_check', 'documents.ingested_at'])
        .where('sbom_digests.digest_algorithm', '=', 'sha256')
        .where('sbom_digests.digest_value', '=', hexOf(digest))
        .orderBy('documents.ingested_at', 'desc')
        .limit(500)
        .execute()
      const unique = [...new Map(rows.map((row) => [row.document_id, row])).values()]
      const facts = unique.map((row) => ({
        documentId: row.document_id,
        standard: row.standard === 'spdx' ? ('spdx' as const) : ('cyclonedx' as const),
        specVersion: row.spec_version,
        componentCount: row.component_count,
        status: VerificationStatus.parse(row.status),
        failedCheck: row.failed_check,
        ingestedAt: row.ingested_at,
      }))
      const members = membersOf(facts, (sbom) => ({ state: stateOfStatus(sbom.status), reason: '' }))
      return { ...members, items: members.items.slice(0, limit) }
    },

    rebuildsOf: async (digest, limit) => {
      const where = () => db.selectFrom('rebuilds').where('artifact_algorithm', '=', 'sha256').where('artifact_digest', '=', hexOf(digest))
      const counts = await where().select((eb) => ['verdict', 'status', eb.fn.countAll<number>().as('count')]).groupBy(['verdict', 'status']).execute()
      const total = counts.reduce((sum, row) => sum + Number(row.count), 0)
      const states = statesOf(
        counts.map((row) => ({
          count: row.count,
          judged: rebuiltAs({ verdict: row.verdict === 'mismatch' ? 'mismatch' : 'match', status: VerificationStatus.parse(row.status), rebuilderId: null, rebuiltDigest: null }),
        })),
      )
      if (limit === 0 || total === 0) return { total, items: [], states }
      const rows = await where().selectAll().orderBy('time', 'desc').orderBy('id', 'desc').limit(limit).execute()
      return {
        total,
        states,
        items: rows.map((row) => {
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
      }
    },

    attestationsOf: async (digest, limit) => {
      const rows = await db
        .selectFrom('deployment_artifacts')
        .innerJoin('deployments', 'deployments.id', 'deployment_artifacts.deployment_id')
        .innerJoin('documents', 'documents.id', 'deployments.document_id')
        .select(['deployments.id as deployment_id', 'documents.id', 'documents.format', 'documents.status', 'documents.failed_check', 'documents.signer', 'documents.ingested_at'])
        .where('deployment_artifacts.digest_value', '=', hexOf(digest))
        .orderBy('deployment_artifacts.deployed_at', 'desc')
        .limit(500)
        .execute()
      const facts = rows.map((row) => ({
        documentId: row.id,
        format: row.format,
        predicateType: DEPLOYMENT_PREDICATE_TYPE,
        status: VerificationStatus.parse(row.status),
        failedCheck: row.failed_check,
        signer: row.signer,
        ingestedAt: row.ingested_at,
        deploymentId: row.deployment_id,
      }))
      const members = membersOf(facts, (attestation) => ({ state: stateOfStatus(attestation.status), reason: '' }))
      return { ...members, items: members.items.slice(0, limit) }
    },

    deploymentsOf: (digest, limit) => deploymentsWhere({ digest }, limit),
    deploymentsIn: (environment, limit) => deploymentsWhere({ environment }, limit),
  }
}
