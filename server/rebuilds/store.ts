import type { ExpressionBuilder, Selectable } from 'kysely'
import type { Rebuild, RebuildPage as RebuildPageType, RebuildQuery } from '../../src/contract/rebuilds'
import { RebuildPage } from '../../src/contract/rebuilds'
import { VerificationStatus } from '../../src/contract/common'
import { RebuilderMatrix, ReproducibilityHistory, ReproducibilitySummary, type MatrixQuery, type ReproducibilityProject, type Streak } from '../../src/contract/reproducibility'
import { bucketMs, DAY, type BucketRange } from '../../domain/buckets'
import { splitDigest } from '../../domain/digests'
import { currentStreak, rowAgreement, UNKNOWN_REBUILDER } from '../../domain/reproducibility'
import { decodeCursor, encodeCursor } from '../store/cursor'
import { instant, type Db } from '../store/db'
import type { Database, RebuildsTable, RebuildVerdictTotalsTable } from '../store/schema'
import { dayStart, verdictDays, verdictTotals, type VerdictTotal } from './counters'
import { rebuildOut } from './rows'

/*
 * Reproducibility verdicts: the list, and per project the summary, the history in time buckets and the
 * rebuilder × artifact matrix. Counts come from the counters kept per project and day (./counters.ts, migration
 * 0029); what the counts mean (streaks, agreement, bucket edges) is decided in domain/.
 */

export interface RebuildRepository {
  /** Verdicts, newest first, by artifact digest (`sha256:<hex>` or a bare value) and/or project. */
  list(query: RebuildQuery): Promise<RebuildPageType>
  summary(): Promise<ReproducibilitySummary>
  /** Null when no build or rebuild is filed under the project. */
  history(project: string, range: BucketRange): Promise<ReproducibilityHistory | null>
  /** Null when no build or rebuild is filed under the project. */
  matrix(query: MatrixQuery): Promise<RebuilderMatrix | null>
}

export function rebuildRepository(db: Db): RebuildRepository {
  return {
    list: (query) => listRebuilds(db, query),
    summary: () => reproducibilitySummary(db),
    history: (project, range) => reproducibilityHistory(db, project, range),
    matrix: (query) => rebuilderMatrix(db, query),
  }
}

/** Rebuild verdicts newest first, filtered by artifact digest and/or project, one keyset page at a time. */
async function listRebuilds(db: Db, query: RebuildQuery): Promise<RebuildPage> {
  const limit = Math.min(Math.max(Math.trunc(query.limit), 1), 500)
  const cursor = query.cursor === undefined ? undefined : decodeCursor(query.cursor)
  let select = db.selectFrom('rebuilds').selectAll()
  if (query.artifactDigest !== undefined) {
    const { algorithm, value } = splitDigest(query.artifactDigest)
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

type ProjectCounts = { matched: number; mismatched: number; last: number | null }

/** A counter row added to a project's counts: anything but a match counts as a mismatch, as the lists show it. */
function addTotal(counts: ProjectCounts | undefined, row: VerdictTotal): ProjectCounts {
  const entry = counts ?? { matched: 0, mismatched: 0, last: null }
  if (row.verdict === 'match') entry.matched += row.count
  else entry.mismatched += row.count
  if (entry.last === null || row.last > entry.last) entry.last = row.last
  return entry
}

/** Per project: counts, current streak, last mismatch. The kept counters, then the streak facts of every project at once. */
async function reproducibilitySummary(db: Db): Promise<ReproducibilitySummary> {
  const byProject = new Map<string, ProjectCounts>()
  for (const row of await verdictTotals(db)) byProject.set(row.project, addTotal(byProject.get(row.project), row))
  const seeks = await summarySeeks(db)
  const projects = [...byProject.keys()].sort()
  // The counts after each streak's breaker, side by side: on PostgreSQL each is a round trip the pool overlaps.
  const facts = await Promise.all(projects.map((project) => judgeStreak(db, project, byProject.get(project) ?? { matched: 0, mismatched: 0, last: null }, seeks.get(project) ?? NO_SEEKS)))
  const items: ReproducibilityProject[] = projects.map((project, index) => {
    const counts = byProject.get(project) ?? { matched: 0, mismatched: 0, last: null }
    const { currentStreak, lastMismatch } = facts[index] ?? { currentStreak: null, lastMismatch: null }
    return {
      project,
      rebuilds: counts.matched + counts.mismatched,
      matched: counts.matched,
      mismatched: counts.mismatched,
      currentStreak,
      lastMismatch,
      lastRebuildAt: counts.last === null ? null : instant(counts.last),
    }
  })
  return ReproducibilitySummary.parse({ items })
}

/** What a project's streak is judged from, found by index seeks: its newest verdict and the newest of each kind. */
type StreakSeeks = { newest: string | undefined; mismatch: Selectable<RebuildsTable> | undefined; match: { time: number; id: string } | undefined }
const NO_SEEKS: StreakSeeks = { newest: undefined, mismatch: undefined, match: undefined }

/** Every project's seeks in two statements (correlated subqueries on the (project[, verdict], time, id) indexes), not five each. */
async function summarySeeks(db: Db): Promise<Map<string, StreakSeeks>> {
  const newestOf = (verdict?: string) => (eb: ExpressionBuilder<Database & { p: RebuildVerdictTotalsTable }, 'p'>) => {
    let select = eb.selectFrom('rebuilds as r').whereRef('r.project', '=', 'p.project')
    if (verdict !== undefined) select = select.where('r.verdict', '=', verdict)
    return select.orderBy('r.time', 'desc').orderBy('r.id', 'desc').limit(1)
  }
  const rows = await db
    .selectFrom('rebuild_verdict_totals as p')
    .select((eb) => [
      'p.project',
      newestOf()(eb).select('r.verdict').as('newest'),
      newestOf('mismatch')(eb).select('r.id').as('mismatch_id'),
      newestOf('match')(eb).select('r.id').as('match_id'),
    ])
    .groupBy('p.project')
    .execute()
  const ids = rows.flatMap((row) => [row.mismatch_id, row.match_id].filter((id): id is string => typeof id === 'string'))
  const found = new Map((ids.length === 0 ? [] : await db.selectFrom('rebuilds').selectAll().where('id', 'in', ids).execute()).map((row) => [row.id, row]))
  return new Map(
    rows.map((row) => {
      const match = row.match_id === null ? undefined : found.get(row.match_id)
      return [row.project, { newest: row.newest ?? undefined, mismatch: row.mismatch_id === null ? undefined : found.get(row.mismatch_id), match: match === undefined ? undefined : { time: match.time, id: match.id } }]
    }),
  )
}

/** One project's seeks, for a history: the newest verdict beside the last mismatch, the last match only when needed. */
async function projectSeeks(db: Db, project: string, counts: ProjectCounts): Promise<StreakSeeks> {
  const [newest, mismatch] = await Promise.all([
    db.selectFrom('rebuilds').select(['verdict']).where('project', '=', project).orderBy('time', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirst(),
    counts.mismatched === 0
      ? undefined
      : db.selectFrom('rebuilds').selectAll().where('project', '=', project).where('verdict', '=', 'mismatch').orderBy('time', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirst(),
  ])
  const match =
    newest?.verdict === 'mismatch' && counts.matched > 0
      ? await db.selectFrom('rebuilds').select(['time', 'id']).where('project', '=', project).where('verdict', '=', 'match').orderBy('time', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirst()
      : undefined
  return { newest: newest?.verdict, mismatch, match }
}

/** The project's current streak and last mismatch: the seeks and counters as facts, judged by the domain rule. */
async function judgeStreak(db: Db, project: string, counts: ProjectCounts, seeks: StreakSeeks): Promise<{ currentStreak: Streak | null; lastMismatch: Rebuild | null }> {
  const lastMismatch = seeks.mismatch === undefined ? null : rebuildOut(seeks.mismatch)
  const verdict = seeks.newest === undefined ? null : seeks.newest === 'mismatch' ? 'mismatch' : 'match'
  const other = verdict === 'match' ? 'mismatch' : 'match'
  let sinceOther: number | null = null
  if (verdict !== null && (other === 'mismatch' ? counts.mismatched : counts.matched) > 0) {
    // The newest verdict of the other kind breaks the streak; count the verdicts after it.
    const breaker = other === 'mismatch' ? (seeks.mismatch === undefined ? undefined : { time: seeks.mismatch.time, id: seeks.mismatch.id }) : seeks.match
    if (breaker !== undefined) {
      // The verdicts after it: those of its own day from the index, the later days' from the counters.
      const breakerDay = dayStart(breaker.time)
      const [sameDay, later] = await Promise.all([
        db
          .selectFrom('rebuilds')
          .select((eb) => eb.fn.countAll<number>().as('count'))
          .where('project', '=', project)
          .where((eb) => eb(eb.refTuple('time', 'id'), '>', eb.tuple(breaker.time, breaker.id)))
          .where('time', '<', breakerDay + DAY)
          .executeTakeFirstOrThrow(),
        db
          .selectFrom('rebuild_verdict_days')
          .select((eb) => eb.fn.sum<number>('count').as('count'))
          .where('project', '=', project)
          .where('day', '>', breakerDay)
          .executeTakeFirstOrThrow(),
      ])
      sinceOther = Number(sameDay.count) + Number(later.count ?? 0)
    }
  }
  return { currentStreak: currentStreak({ newest: verdict, matched: counts.matched, mismatched: counts.mismatched, sinceOther }), lastMismatch }
}

/** True when any build or rebuild verdict is filed under the project. */
export async function projectExists(db: Db, project: string): Promise<boolean> {
  const rebuild = await db.selectFrom('rebuilds').select('id').where('project', '=', project).limit(1).executeTakeFirst()
  if (rebuild !== undefined) return true
  const build = await db.selectFrom('builds').select('id').where('project', '=', project).limit(1).executeTakeFirst()
  return build !== undefined
}

/**
 * A project's verdicts counted per bucket, every bucket of the range present. Null when no build or rebuild
 * is filed under the project. Summed from the per-day counters.
 */
async function reproducibilityHistory(db: Db, project: string, range: BucketRange): Promise<ReproducibilityHistory | null> {
  if (!(await projectExists(db, project))) return null
  const size = bucketMs(range.size)
  const buckets = Array.from({ length: range.count }, (_, index) => ({ start: instant(range.start + index * size), matched: 0, mismatched: 0 }))
  let matched = 0
  let mismatched = 0
  const [days, totals] = await Promise.all([verdictDays(db, { from: range.start, to: range.end }, project), verdictTotals(db, project)])
  // Buckets are whole UTC days (weeks start on a Monday), so each is a sum of the kept per-day counts.
  for (const row of days) {
    const bucket = buckets[Math.floor((row.day - range.start) / size)]
    if (bucket === undefined) continue
    if (row.verdict === 'match') {
      bucket.matched += row.count
      matched += row.count
    } else {
      bucket.mismatched += row.count
      mismatched += row.count
    }
  }
  let counts: ProjectCounts = { matched: 0, mismatched: 0, last: null }
  for (const row of totals) counts = addTotal(counts, row)
  const { currentStreak, lastMismatch } = await judgeStreak(db, project, counts, await projectSeeks(db, project, counts))
  return ReproducibilityHistory.parse({
    project,
    bucket: range.size,
    from: instant(range.start),
    to: instant(range.end),
    buckets,
    matched,
    mismatched,
    currentStreak,
    lastMismatch,
  })
}

/**
 * Rebuilders × the project's most recently rebuilt artifacts: each rebuilder's latest verdict per artifact.
 * `agree` counts the rebuilders whose latest verdict is a match. Null for an unknown project.
 */
async function rebuilderMatrix(db: Db, query: MatrixQuery): Promise<RebuilderMatrix | null> {
  if (!(await projectExists(db, query.project))) return null
  const limit = Math.min(Math.max(Math.trunc(query.limit), 1), 200)
  // Walk the project's verdicts newest first until `limit` distinct artifacts are seen (each has a few).
  const artifacts = new Map<string, { algorithm: string; value: string }>()
  let cursor: { time: number; id: string } | undefined
  for (let round = 0; round < 50 && artifacts.size < limit; round++) {
    let select = db
      .selectFrom('rebuilds')
      .select(['id', 'time', 'artifact_algorithm', 'artifact_digest'])
      .where('project', '=', query.project)
    if (cursor !== undefined) {
      const { time, id } = cursor
      select = select.where((eb) => eb(eb.refTuple('time', 'id'), '<', eb.tuple(time, id)))
    }
    const rows = await select.orderBy('time', 'desc').orderBy('id', 'desc').limit(limit * 4).execute()
    for (const row of rows) {
      if (artifacts.size >= limit) break
      if (row.artifact_algorithm === null || row.artifact_digest === null) continue
      const key = `${row.artifact_algorithm}:${row.artifact_digest}`
      if (!artifacts.has(key)) artifacts.set(key, { algorithm: row.artifact_algorithm, value: row.artifact_digest })
    }
    const last = rows.at(-1)
    if (last === undefined || rows.length < limit * 4) break
    cursor = { time: last.time, id: last.id }
  }
  const values = [...new Set([...artifacts.values()].map((artifact) => artifact.value))]
  const rows =
    values.length === 0
      ? []
      : await db
          .selectFrom('rebuilds')
          .select(['id', 'time', 'verdict', 'status', 'rebuilder_id', 'artifact_name', 'artifact_algorithm', 'artifact_digest'])
          .where('artifact_digest', 'in', values)
          .orderBy('time', 'desc')
          .orderBy('id', 'desc')
          .execute()
  type Cell = { verdict: 'match' | 'mismatch'; rebuildId: string; time: string; status: VerificationStatus }
  const cells = new Map<string, { name: string | null; byRebuilder: Map<string, Cell> }>()
  for (const key of artifacts.keys()) cells.set(key, { name: null, byRebuilder: new Map() })
  const rebuilders = new Set<string>()
  for (const row of rows) {
    const entry = cells.get(`${row.artifact_algorithm}:${row.artifact_digest}`)
    if (entry === undefined) continue
    entry.name ??= row.artifact_name
    const rebuilder = row.rebuilder_id ?? UNKNOWN_REBUILDER
    rebuilders.add(rebuilder)
    if (!entry.byRebuilder.has(rebuilder)) entry.byRebuilder.set(rebuilder, { verdict: row.verdict === 'mismatch' ? 'mismatch' : 'match', rebuildId: row.id, time: instant(row.time), status: VerificationStatus.parse(row.status) })
  }
  const order = [...rebuilders].sort()
  return RebuilderMatrix.parse({
    project: query.project,
    rebuilders: order,
    artifacts: [...cells.entries()].map(([digest, entry]) => {
      const row = order.map((rebuilder) => entry.byRebuilder.get(rebuilder) ?? null)
      return {
        name: entry.name,
        digest,
        cells: row,
        ...rowAgreement(row),
      }
    }),
  })
}
