import type { ExpressionBuilder, Kysely, SelectQueryBuilder } from 'kysely'
import { z } from 'zod'
import type { BuildFactsInput, RebuildVerdictFacts } from '../../domain/alerts/facts'
import { ResolvedDependency } from '../../src/contract/builds'
import { Verification, VerificationStatus } from '../../src/contract/common'
import { subjectsOf } from '../builds/summaries'
import { instant, parseJson } from '../store/db'
import type { Database } from '../store/schema'
import { findPipelineRun, lookupForBuild } from '../telemetry/store'
import type { TelemetryLookup } from '../telemetry/types'
import type { HandedBuild } from './handover'
import { repoKey } from '../telemetry/model'
import { paddedList } from './statement-shapes'
import { shapesOf } from './compiled-shapes'

/*
 * What the rules read to judge builds: the work since the evaluation's position, the facts of many builds at once
 * (build rows, verdicts, subjects, CI telemetry, rebuild verdicts), a project's recent builds for its baseline, and
 * the deployments new documents may prove or disprove. Only reads; the alerts themselves are in ./store.ts.
 */

const DigestRecord = z.record(z.string(), z.string())

/** Deployments whose provenance rests on the documents `documents` selects: their own attestation, or a build naming a digest they deployed. */
export async function deploymentsOf(base: Kysely<Database>, documents: SelectQueryBuilder<Database, 'documents', { id: string }>): Promise<string[]> {
  const own = await base.selectFrom('deployments').select('id').where('document_id', 'in', documents).execute()
  const cited = await base
    .selectFrom('deployment_artifacts')
    .select('deployment_artifacts.deployment_id')
    .distinct()
    .where('deployment_artifacts.digest_value', 'in', (eb) =>
      eb.selectFrom('subjects').innerJoin('builds', 'builds.id', 'subjects.build_id').select('subjects.digest_value').where('subjects.digest_algorithm', '=', 'sha256').where('builds.document_id', 'in', documents),
    )
    .execute()
  return [...new Set([...own.map((row) => row.id), ...cited.map((row) => row.deployment_id)])]
}

/**
 * What has come in since the last evaluation: builds to (re-)evaluate and the new watermarks; `more` when a limit cut
 * the work short (otherwise nothing was stored after the new watermarks when it was read).
 */
export type PendingWork = { buildIds: string[]; seq: number; telemetry: number; more: boolean; stored: StoredKinds; verdictChanges: boolean }

/**
 * Whether any rebuild verdict, CI telemetry run or deployment is stored at all. A store without one kind needs none of
 * the queries that match builds against it (a batch's rebuild verdicts, its pipeline runs, the deployments its
 * documents may prove); each of those is a statement with hundreds of parameters per evaluated batch.
 */
export type StoredKinds = { rebuilds: boolean; telemetry: boolean; deployments: boolean }
export const EVERY_KIND: StoredKinds = { rebuilds: true, telemetry: true, deployments: true }

/** One statement, three index probes. */
export async function storedKinds(base: Kysely<Database>): Promise<StoredKinds> {
  return (await storedKindsAndVerdicts(base, null)).stored
}

/**
 * The stored kinds and, in the same statement, whether any verdict change was recorded after `verdictsAfter` (a
 * fourth index probe; true without one when it is null).
 */
async function storedKindsAndVerdicts(base: Kysely<Database>, verdictsAfter: number | null): Promise<{ stored: StoredKinds; verdictChanges: boolean }> {
  const db = base.withTables<{ telemetry_runs: { key: string }; verdict_changes: { seq: number } }>()
  const kinds = (eb: ExpressionBuilder<Database & { telemetry_runs: { key: string }; verdict_changes: { seq: number } }, never>) => [
    eb.exists(eb.selectFrom('rebuilds').select('document_id').limit(1)).as('rebuilds'),
    eb.exists(eb.selectFrom('telemetry_runs').select('key').limit(1)).as('telemetry'),
    eb.exists(eb.selectFrom('deployments').select('id').limit(1)).as('deployments'),
  ]
  const query =
    verdictsAfter === null
      ? shapesOf(base)('stored kinds', () => db.selectNoFrom(kinds)).bind([])
      : shapesOf(base)('stored kinds and verdict changes', (slot) =>
          db.selectNoFrom((eb) => [...kinds(eb), eb.exists(eb.selectFrom('verdict_changes').select('seq').where('seq', '>', slot<number>(0)).limit(1)).as('verdict_changes')]),
        ).bind([verdictsAfter])
  const row = (await base.executeQuery<{ rebuilds: unknown; telemetry: unknown; deployments: unknown; verdict_changes?: unknown }>(query)).rows[0]
  if (row === undefined) throw new Error('a select without from answered no row')
  // SQLite answers 0/1, PostgreSQL booleans.
  return {
    stored: { rebuilds: Boolean(row.rebuilds), telemetry: Boolean(row.telemetry), deployments: Boolean(row.deployments) },
    verdictChanges: verdictsAfter === null || Boolean(row.verdict_changes),
  }
}

/**
 * The builds touched by documents stored after `seq` (their own provenance, or a rebuild verdict on one of their
 * artifacts) and by CI telemetry updated after `telemetry` (matched by commit), at most `limit` documents at a time;
 * and whether verdict changes were recorded after `verdictsAfter` (always said to be when it is not given).
 */
export async function pendingWork(base: Kysely<Database>, seq: number, telemetry: number, limit: number, verdictsAfter: number | null = null): Promise<PendingWork> {
  const db = base.withTables<{ telemetry_runs: { commit_sha: string | null; updated_at: number } }>()
  const shape = shapesOf(base)
  // The documents after `seq` (up to `limit`), each with the build it holds (a document holds at most one: builds'
  // document_id is unique), in one statement: the page's count, its last seq and its builds.
  const paged = shape('pending documents and builds', (slot) =>
    db
      .selectFrom((eb) => eb.selectFrom('documents').select(['seq', 'id']).where('seq', '>', slot<number>(0)).orderBy('seq').limit(slot<number>(1)).as('page'))
      .leftJoin('builds', 'builds.document_id', 'page.id')
      .select(['page.seq', 'builds.id as build_id']),
  )
  const page = (await base.executeQuery<{ seq: number | string; build_id: string | null }>(paged.bind([seq, limit]))).rows
  const count = page.length
  let last: number | undefined
  const buildIds = new Set<string>()
  for (const row of page) {
    const at = Number(row.seq)
    if (last === undefined || at > last) last = at
    if (row.build_id !== null) buildIds.add(row.build_id)
  }
  // The page's documents by their seq range, not their ids: one statement text whatever the page's size.
  const inPage = (from: number, to: number) => db.selectFrom('documents').select('documents.id').where('documents.seq', '>', from).where('documents.seq', '<=', to)
  // Read after the page: whatever the page's builds are matched against below was stored before this read, so a kind
  // it says is absent cannot matter to them (a later arrival is after the page, the next evaluation's). The page's own
  // rebuild verdicts were stored before it too: with none stored, none is looked for. With no CI telemetry stored, no
  // run was updated after `telemetry` either: one stored after this read is the next evaluation's, as the mark stays.
  const { stored, verdictChanges } = await storedKindsAndVerdicts(base, verdictsAfter)
  const updated = shape('pending telemetry', (slot) => db.selectFrom('telemetry_runs').select(['commit_sha', 'updated_at']).where('updated_at', '>', slot<number>(0)).orderBy('updated_at').limit(slot<number>(1)))
  const runs = stored.telemetry ? (await base.executeQuery<{ commit_sha: string | null; updated_at: number }>(updated.bind([telemetry, limit]))).rows : []
  const commits = [...new Set(runs.flatMap((run) => (run.commit_sha === null ? [] : [run.commit_sha])))]
  for (let offset = 0; offset < commits.length; offset += 500) {
    const rows = await db.selectFrom('builds').select('id').where('source_commit', 'in', commits.slice(offset, offset + 500)).execute()
    for (const row of rows) buildIds.add(row.id)
  }
  if (last !== undefined && stored.rebuilds) {
    const verdicts = shape('pending rebuild verdicts', (slot) =>
      db.selectFrom('rebuilds').select('artifact_digest').where('document_id', 'in', inPage(slot(0), slot(1))).where('artifact_digest', 'is not', null),
    )
    const digests = (await base.executeQuery<{ artifact_digest: string | null }>(verdicts.bind([seq, last]))).rows
    const values = [...new Set(digests.flatMap((row) => (row.artifact_digest === null ? [] : [row.artifact_digest])))]
    for (let offset = 0; offset < values.length; offset += 500) {
      const rows = await db.selectFrom('subjects').select('build_id').where('digest_value', 'in', paddedList(values.slice(offset, offset + 500))).execute()
      for (const row of rows) buildIds.add(row.build_id)
    }
  }
  return { buildIds: [...buildIds], seq: last ?? seq, telemetry: runs.at(-1)?.updated_at ?? telemetry, more: count >= limit || runs.length >= limit, stored, verdictChanges }
}

/** Rebuild verdicts on any of these artifact digest values (hex, any algorithm). */
export async function rebuildsFor(db: Kysely<Database>, digests: readonly string[]): Promise<RebuildVerdictFacts[]> {
  const out: RebuildVerdictFacts[] = []
  for (let offset = 0; offset < digests.length; offset += 500) {
    const rows = await db
      .selectFrom('rebuilds')
      .select(['document_id', 'rebuilder_id', 'artifact_name', 'artifact_digests', 'rebuilt_digests', 'verdict', 'status'])
      .where('artifact_digest', 'in', paddedList(digests.slice(offset, offset + 500)))
      .execute()
    for (const row of rows) {
      out.push({
        documentId: row.document_id as RebuildVerdictFacts['documentId'],
        rebuilderId: row.rebuilder_id,
        artifact: { name: row.artifact_name, digest: DigestRecord.parse(parseJson(row.artifact_digests)) },
        rebuiltDigest: DigestRecord.parse(parseJson(row.rebuilt_digests)),
        verdict: row.verdict === 'match' ? 'match' : 'mismatch',
        status: VerificationStatus.parse(row.status),
      })
    }
  }
  return out
}

/** Build ids of a project, newest first, from `before` (exclusive) backwards: a baseline window. */
export async function recentBuildIds(db: Kysely<Database>, project: string, before: { time: number; id: string }, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('builds')
    .select('id')
    .where('project', '=', project)
    .where((eb) => eb(eb.refTuple('time', 'id'), '<', eb.tuple(before.time, before.id)))
    .orderBy('time', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute()
  return rows.map((row) => row.id)
}

/** Every build, oldest first, a page at a time after (time, id): for re-evaluating everything. */
export async function buildsInOrder(db: Kysely<Database>, after: { time: number; id: string } | null, limit: number): Promise<{ id: string; time: number }[]> {
  let select = db.selectFrom('builds').select(['id', 'time'])
  if (after !== null) select = select.where((eb) => eb(eb.refTuple('time', 'id'), '>', eb.tuple(after.time, after.id)))
  return select.orderBy('time').orderBy('id').limit(limit).execute()
}

const Dependencies = z.array(ResolvedDependency)

/**
 * Which of these lookups may find a pipeline run: the run ids and (repository, commit) pairs stored at all, read in
 * two indexed queries. findPipelineRun asks by run id when the lookup has one, otherwise by repository and commit;
 * the answer here is true whenever that query could match, so skipping the others changes no result.
 */
async function telemetryKnown(base: Kysely<Database>, lookups: readonly TelemetryLookup[]): Promise<(lookup: TelemetryLookup) => boolean> {
  const db = base.withTables<{ telemetry_runs: { run_id: string | null; repo_key: string | null; commit_sha: string | null } }>()
  const runIds = [...new Set(lookups.flatMap((lookup) => (lookup.runId === null ? [] : [lookup.runId])))]
  const pairs = lookups.flatMap((lookup) => {
    const repo = repoKey(lookup.repo)
    return lookup.runId === null && repo !== null && lookup.commit !== null ? [{ repo, commit: lookup.commit.toLowerCase() }] : []
  })
  const foundRuns = new Set<string>()
  const foundPairs = new Set<string>()
  if (runIds.length > 0) {
    for (const row of await db.selectFrom('telemetry_runs').select('run_id').distinct().where('run_id', 'in', paddedList(runIds)).execute()) if (row.run_id !== null) foundRuns.add(row.run_id)
  }
  if (pairs.length > 0) {
    const rows = await db
      .selectFrom('telemetry_runs')
      .select(['repo_key', 'commit_sha'])
      .distinct()
      .where('repo_key', 'in', paddedList([...new Set(pairs.map((pair) => pair.repo))]))
      .where('commit_sha', 'in', paddedList([...new Set(pairs.map((pair) => pair.commit))]))
      .execute()
    for (const row of rows) foundPairs.add(`${row.repo_key ?? ''}\n${row.commit_sha ?? ''}`)
  }
  return (lookup) => {
    if (lookup.runId !== null) return foundRuns.has(lookup.runId)
    const repo = repoKey(lookup.repo)
    return repo !== null && lookup.commit !== null && foundPairs.has(`${repo}\n${lookup.commit.toLowerCase()}`)
  }
}

/** The CI telemetry matched to each of these builds (null where none was stored), attached to what the rules read of them. */
export async function withPipelines(db: Kysely<Database>, builds: readonly HandedBuild[]): Promise<(BuildFactsInput & { sourceCommit: string | null })[]> {
  const out: (BuildFactsInput & { sourceCommit: string | null })[] = []
  for (let offset = 0; offset < builds.length; offset += 500) {
    const chunk = builds.slice(offset, offset + 500)
    const lookups = new Map(chunk.map((build) => [build.id, lookupForBuild(build)]))
    const known = await telemetryKnown(db, [...lookups.values()])
    for (const build of chunk) {
      const lookup = lookups.get(build.id)
      // One query a chunk says which builds have CI telemetry at all; only those look for their run.
      const pipeline = lookup !== undefined && known(lookup) ? await findPipelineRun(db, lookup) : null
      out.push({ ...build, pipeline })
    }
  }
  return out
}

/** What the rules read of these builds, from the database (HandedBuild's shape), with their CI telemetry (none looked for when `telemetry` is false: none is stored). */
export async function factsInputs(db: Kysely<Database>, ids: readonly string[], telemetry = true): Promise<(BuildFactsInput & { sourceCommit: string | null })[]> {
  const builds: HandedBuild[] = []
  for (let offset = 0; offset < ids.length; offset += 500) {
    const chunk = ids.slice(offset, offset + 500)
    // Not the statement or parameters: only what the rules read.
    const rows = await db
      .selectFrom('builds')
      .innerJoin('documents', 'documents.id', 'builds.document_id')
      .select([
        'builds.id',
        'builds.document_id',
        'builds.project',
        'builds.source_repo',
        'builds.source_commit',
        'builds.invocation_id',
        'builds.builder_id',
        'builds.build_type',
        'builds.started_at',
        'builds.finished_at',
        'builds.time',
        'builds.resolved_dependencies',
        'documents.verification',
      ])
      .where('builds.id', 'in', chunk)
      .execute()
    const subjects = await subjectsOf(db, chunk)
    for (const row of rows) {
      builds.push({
        id: row.id as HandedBuild['id'],
        document: { id: row.document_id },
        project: row.project,
        sourceRepo: row.source_repo,
        sourceCommit: row.source_commit,
        invocationId: row.invocation_id,
        time: instant(row.time),
        startedAt: row.started_at === null ? null : instant(row.started_at),
        finishedAt: row.finished_at === null ? null : instant(row.finished_at),
        builderId: row.builder_id,
        buildType: row.build_type,
        verification: Verification.parse(parseJson(row.verification)),
        resolvedDependencies: Dependencies.parse(parseJson(row.resolved_dependencies)),
        subjects: subjects.get(row.id) ?? [],
      })
    }
  }
  return telemetry ? withPipelines(db, builds) : builds.map((build) => ({ ...build, pipeline: null }))
}
