import { z } from 'zod'
import { ResolvedDependency } from '../../src/contract/builds'
import { VerificationStatus } from '../../src/contract/common'
import { dependencyRefs, dependsOn, produced, stateOfStatus } from '../../domain/lineage-edges'
import type { ArtifactRef, BuildFact } from '../../domain/lineage-walk'
import { parseJson, type Db } from '../store/db'
import { coalesce, membersLoader } from './batch'
import { groupRows, hexOf, membersByKey } from './members'

/*
 * The lineage reader's questions about builds: by id, by commit on (source_commit, time, id), producing a digest on
 * subjects(digest_value), depending on one on build_dependencies(digest_value, time, build_id), and a build's own
 * subjects and resolved dependencies.
 */

/** The index of resolved dependencies migration 0019 keeps; only lineage reads it, so it is typed here. */
type BuildDependenciesTable = { build_id: string; digest_value: string; time: number }

const Dependencies = z.array(ResolvedDependency)

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

export function buildLoaders(db: Db) {
  const builds = () => db.selectFrom('builds').innerJoin('documents', 'documents.id', 'builds.document_id').select(buildColumns)
  const dependencies = db.withTables<{ build_dependencies: BuildDependenciesTable }>()

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
          .where('subjects.digest_value', 'in', keys.map(hexOf))
          .orderBy('builds.time', 'desc')
          .orderBy('builds.id', 'desc')
          .execute(),
      newest: async (key, limit) =>
        (
          await builds()
            .where('builds.id', 'in', db.selectFrom('subjects').select('subjects.build_id').where('subjects.digest_algorithm', '=', 'sha256').where('subjects.digest_value', '=', hexOf(key)))
            .orderBy('builds.time', 'desc')
            .orderBy('builds.id', 'desc')
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

  const buildsById = coalesce<string, BuildFact | null>(async (ids) => {
    const found = new Map((await builds().where('builds.id', 'in', [...ids]).execute()).map((row) => [row.id, buildFact(row)]))
    return ids.map((id) => found.get(id) ?? null)
  }, String)

  return { buildsById, buildsOfCommit, buildsProducing, buildsDependingOn, subjectsOfBuild, dependenciesOfBuild }
}
