import { z } from 'zod'
import { BuildDetail, BuildNeighbours, BuildPage, ProjectList, ResolvedDependency, type BuildQuery } from '../../src/contract/builds'
import { Verification } from '../../src/contract/common'
import { decodeCursor, encodeCursor } from '../store/cursor'
import { instant, parseJson, type Db } from '../store/db'
import { StoreQueryError } from '../store/errors'
import { findPipelineRun, lookupForBuild } from '../telemetry/store'
import { subjectsOf, summaries, summaryColumns, summaryFields, type SummaryRow } from './summaries'

/** Builds as the lists, the build page and "compare with previous" read them. */
export interface BuildRepository {
  list(query: BuildQuery): Promise<BuildPage>
  /** Null when there is no build with this id. */
  get(id: string): Promise<BuildDetail | null>
  projects(): Promise<ProjectList>
  /** The same project's builds just before and after; null when there is no build with this id. */
  neighbours(id: string): Promise<BuildNeighbours | null>
}

export function buildRepository(db: Db): BuildRepository {
  return {
    list: (query) => listBuilds(db, query),
    get: (id) => getBuild(db, id),
    projects: () => listProjects(db),
    neighbours: (id) => neighbours(db, id),
  }
}

function parseInstant(text: string, path: 'from' | 'to'): number {
  const ms = Date.parse(text)
  if (Number.isNaN(ms)) {
    throw new StoreQueryError('invalid-time', `${path} must be an ISO-8601 instant such as 2025-01-31T00:00:00Z`, path)
  }
  return ms
}

async function listBuilds(db: Db, query: BuildQuery): Promise<BuildPage> {
  const limit = Math.min(Math.max(Math.trunc(query.limit), 1), 500)
  const from = query.from === undefined ? undefined : parseInstant(query.from, 'from')
  const to = query.to === undefined ? undefined : parseInstant(query.to, 'to')
  const cursor = query.cursor === undefined ? undefined : decodeCursor(query.cursor)

  let select = db.selectFrom('builds').select(summaryColumns)
  if (query.project !== undefined) select = select.where('project', '=', query.project)
  if (query.repo !== undefined) select = select.where('source_repo', '=', query.repo)
  if (query.status !== undefined) select = select.where('status', '=', query.status)
  if (query.commit !== undefined) {
    // A full SHA is one seek on (source_commit, time, id), already in the list's order. A prefix is a range on
    // the same index: every hex string starting with it sorts below the prefix followed by 'g' (past 'f'), in
    // byte order and in the usual text collations alike; the few builds of one prefix are then sorted by time.
    select =
      query.commit.length >= 40
        ? select.where('source_commit', '=', query.commit)
        : select.where('source_commit', '>=', query.commit).where('source_commit', '<', `${query.commit}g`)
  }
  if (from !== undefined) select = select.where('time', '>=', from)
  if (to !== undefined) select = select.where('time', '<', to)
  if (cursor !== undefined) {
    // A row comparison both engines turn into an index range: the next page starts strictly after
    // the last row, so rows with equal times are neither skipped nor repeated.
    select = select.where((eb) => eb(eb.refTuple('time', 'id'), '<', eb.tuple(cursor.time, cursor.id)))
  }
  // One extra row tells whether there is a next page without a count.
  const rows = await select.orderBy('time', 'desc').orderBy('id', 'desc').limit(limit + 1).execute()

  const page = rows.slice(0, limit)
  const subjects = await subjectsOf(db, page.map((row) => row.id))
  const last = page.at(-1)
  return BuildPage.parse({
    items: page.map((row) => summaryFields(row, subjects.get(row.id) ?? [])),
    nextCursor: rows.length > limit && last !== undefined ? encodeCursor({ time: last.time, id: last.id }) : null,
  })
}

async function getBuild(db: Db, id: string): Promise<BuildDetail | null> {
  const row = await db
    .selectFrom('builds')
    .innerJoin('documents', 'documents.id', 'builds.document_id')
    .selectAll('builds')
    .select([
      'documents.format as document_format',
      'documents.payload_type as document_payload_type',
      'documents.size as document_size',
      'documents.ingested_at as document_ingested_at',
      'documents.verification as document_verification',
    ])
    .where('builds.id', '=', id)
    .executeTakeFirst()
  if (row === undefined) return null
  const subjects = await subjectsOf(db, [row.id])
  // Parsing with the contract guarantees the HTTP layer never serves a shape the SPA would reject.
  return BuildDetail.parse({
    ...summaryFields(row, subjects.get(row.id) ?? []),
    invocationId: row.invocation_id,
    predicateType: row.predicate_type,
    statementType: row.statement_type,
    slsaVersion: row.slsa_version,
    externalParameters: row.external_parameters === null ? undefined : parseJson(row.external_parameters),
    internalParameters: row.internal_parameters === null ? undefined : parseJson(row.internal_parameters),
    resolvedDependencies: z.array(ResolvedDependency).parse(parseJson(row.resolved_dependencies)),
    verification: Verification.parse(parseJson(row.document_verification)),
    document: {
      id: row.document_id,
      sha256: row.document_id,
      format: row.document_format,
      payloadType: row.document_payload_type,
      size: row.document_size,
      ingestedAt: instant(row.document_ingested_at),
    },
    statement: row.statement,
    pipeline: await findPipelineRun(db, lookupForBuild({ sourceRepo: row.source_repo, sourceCommit: row.source_commit, invocationId: row.invocation_id })),
  })
}

async function listProjects(db: Db): Promise<ProjectList> {
  // Counters kept per project by a trigger (migration 0033): one row per project, not one index entry per build.
  const rows = await db.selectFrom('project_totals').select(['project', 'source_repo', 'builds', 'last_time']).orderBy('project').execute()
  return ProjectList.parse({
    items: rows.map((row) => ({
      name: row.project,
      sourceRepo: row.source_repo,
      builds: Number(row.builds),
      lastBuildAt: instant(row.last_time),
    })),
  })
}

/** The same project's builds just before and after, by (time, id); null when the build is unknown. */
async function neighbours(db: Db, id: string): Promise<BuildNeighbours | null> {
  const build = await db.selectFrom('builds').select(['project', 'time', 'id']).where('id', '=', id).executeTakeFirst()
  if (build === undefined) return null
  // The nearest build on each side by (time, id): one index seek each way.
  const adjacent = (side: 'before' | 'after') =>
    db
      .selectFrom('builds')
      .select(summaryColumns)
      .where('builds.project', '=', build.project)
      .where((eb) => eb(eb.refTuple('builds.time', 'builds.id'), side === 'before' ? '<' : '>', eb.tuple(build.time, build.id)))
      .orderBy('builds.time', side === 'before' ? 'desc' : 'asc')
      .orderBy('builds.id', side === 'before' ? 'desc' : 'asc')
      .limit(1)
      .executeTakeFirst()
  const previous = await adjacent('before')
  const next = await adjacent('after')
  const [before, afterRow] = await summaries(db, [previous, next].filter((row): row is SummaryRow => row !== undefined)).then((list) => {
    const lookup = new Map(list.map((item) => [item.id as string, item]))
    return [previous === undefined ? null : (lookup.get(previous.id) ?? null), next === undefined ? null : (lookup.get(next.id) ?? null)]
  })
  return BuildNeighbours.parse({ previous: before ?? null, next: afterRow ?? null })
}
