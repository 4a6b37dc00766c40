import { join } from 'node:path'
import SqliteDatabase from 'better-sqlite3'
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely'
import pg from 'pg'
import { describe, expect, it, vi } from 'vitest'
import { ReproducibilityHistory, ReproducibilitySummary } from '../../src/contract/reproducibility'
import { bucketMs, bucketRange, type BucketRange } from '../../domain/buckets'
import { currentStreak, type StreakFacts } from '../../domain/reproducibility'
import { DEMO_END, demoBuilds } from '../../demo/model'
import { demoRebuilds } from '../../demo/rebuilds'
import { createApp } from '../app'
import { ingestContext } from '../config'
import { demoRebuildEnvelope } from '../demo/rebuilds'
import { demoConfig, demoEnvelope } from '../demo/seed'
import { ingestBody } from '../ingest/ingest'
import type { StoreKind } from '../store/db'
import { instant } from '../store/db'
import { countersMigration } from '../store/migrations/0029-counters'
import type { Database } from '../store/schema'
import { openStore } from '../store/store'
import { engineStores } from '../store/testing/engines'
import { rebuildOut } from './rows'

/*
 * The reproducibility summary, its history and the overview's verdict figures read counters kept per project and
 * day (migration 0029) instead of aggregating every verdict. Their answers must be the ones the full aggregation
 * gave: here the aggregation as it was (grouped counts over `rebuilds`, the streak counted from the verdicts
 * themselves) is the reference, on the same ingested demo history, on both engines; once with counters kept by
 * the trigger as verdicts arrived, once with counters backfilled by the migration on a store that had the verdicts
 * before it.
 */

vi.setConfig({ testTimeout: 180_000 })
const DAY = 86_400_000
const { location } = engineStores('rebuild-counters')

function rawDb(kind: StoreKind, where: { dataDir: string; databaseUrl?: string }): Kysely<Database> {
  if (kind === 'sqlite') return new Kysely({ dialect: new SqliteDialect({ database: new SqliteDatabase(join(where.dataDir, 'provenance.db')) }) })
  // BIGINT as a number, as the store reads it.
  const getTypeParser = (oid: number, format?: 'text' | 'binary'): ((value: string) => unknown) => (oid === 20 ? Number : (pg.types.getTypeParser(oid, format ?? 'text') as (value: string) => unknown))
  const types = { getTypeParser: getTypeParser as typeof pg.types.getTypeParser }
  return new Kysely({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: where.databaseUrl, max: 1, types }) }) })
}

/** The aggregation as it was before the counters: every figure grouped from `rebuilds` itself. */
async function referenceStreak(db: Kysely<Database>, project: string, matched: number, mismatched: number) {
  const newest = await db.selectFrom('rebuilds').select('verdict').where('project', '=', project).orderBy('time', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirst()
  const mismatchRow = await db.selectFrom('rebuilds').selectAll().where('project', '=', project).where('verdict', '=', 'mismatch').orderBy('time', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirst()
  const verdict = newest === undefined ? null : newest.verdict === 'mismatch' ? 'mismatch' : 'match'
  const other = verdict === 'match' ? 'mismatch' : 'match'
  let sinceOther: number | null = null
  if (verdict !== null && (other === 'mismatch' ? mismatched : matched) > 0) {
    const breaker = await db.selectFrom('rebuilds').select(['time', 'id']).where('project', '=', project).where('verdict', '=', other).orderBy('time', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirstOrThrow()
    const since = await db
      .selectFrom('rebuilds')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('project', '=', project)
      .where((eb) => eb(eb.refTuple('time', 'id'), '>', eb.tuple(breaker.time, breaker.id)))
      .executeTakeFirstOrThrow()
    sinceOther = Number(since.count)
  }
  const facts: StreakFacts = { newest: verdict, matched, mismatched, sinceOther }
  return { currentStreak: currentStreak(facts), lastMismatch: mismatchRow === undefined ? null : rebuildOut(mismatchRow) }
}

async function referenceSummary(db: Kysely<Database>): Promise<ReproducibilitySummary> {
  const rows = await db
    .selectFrom('rebuilds')
    .select((eb) => ['project', 'verdict', eb.fn.countAll<number>().as('count'), eb.fn.max('time').as('last')])
    .groupBy(['project', 'verdict'])
    .execute()
  const projects = [...new Set(rows.map((row) => row.project))].sort()
  const items = []
  for (const project of projects) {
    const own = rows.filter((row) => row.project === project)
    const matched = own.filter((row) => row.verdict === 'match').reduce((sum, row) => sum + Number(row.count), 0)
    const mismatched = own.filter((row) => row.verdict !== 'match').reduce((sum, row) => sum + Number(row.count), 0)
    const last = Math.max(...own.map((row) => Number(row.last)))
    items.push({ project, rebuilds: matched + mismatched, matched, mismatched, ...(await referenceStreak(db, project, matched, mismatched)), lastRebuildAt: instant(last) })
  }
  return ReproducibilitySummary.parse({ items })
}

async function referenceHistory(db: Kysely<Database>, project: string, range: BucketRange): Promise<ReproducibilityHistory> {
  const size = bucketMs(range.size)
  const rows = await db
    .selectFrom('rebuilds')
    .select((eb) => [sql<number>`cast((${eb.ref('time')} - ${range.start}) / ${size} as integer)`.as('bucket'), 'verdict', eb.fn.countAll<number>().as('count')])
    .where('project', '=', project)
    .where('time', '>=', range.start)
    .where('time', '<', range.end)
    .groupBy([sql.ref('bucket'), 'verdict'])
    .execute()
  const buckets = Array.from({ length: range.count }, (_, index) => ({ start: instant(range.start + index * size), matched: 0, mismatched: 0 }))
  for (const row of rows) {
    const bucket = buckets[Number(row.bucket)]
    if (bucket === undefined) continue
    if (row.verdict === 'match') bucket.matched += Number(row.count)
    else bucket.mismatched += Number(row.count)
  }
  const totals = await db.selectFrom('rebuilds').select((eb) => ['verdict', eb.fn.countAll<number>().as('count')]).where('project', '=', project).groupBy('verdict').execute()
  const matched = totals.filter((row) => row.verdict === 'match').reduce((sum, row) => sum + Number(row.count), 0)
  const mismatched = totals.filter((row) => row.verdict !== 'match').reduce((sum, row) => sum + Number(row.count), 0)
  return ReproducibilityHistory.parse({
    project,
    bucket: range.size,
    from: instant(range.start),
    to: instant(range.end),
    buckets,
    matched: buckets.reduce((sum, bucket) => sum + bucket.matched, 0),
    mismatched: buckets.reduce((sum, bucket) => sum + bucket.mismatched, 0),
    ...(await referenceStreak(db, project, matched, mismatched)),
  })
}

/** What the overview says of rebuild verdicts, counted from the verdicts themselves. */
async function referenceDaily(db: Kysely<Database>, end: number) {
  const rows = await db.selectFrom('rebuilds').select(['time', 'verdict']).where('time', '>=', end - 30 * DAY).where('time', '<', end).execute()
  return Array.from({ length: 30 }, (_, index) => {
    const from = end - (30 - index) * DAY
    const inDay = rows.filter((row) => row.time >= from && row.time < from + DAY)
    return { match: inDay.filter((row) => row.verdict === 'match').length, mismatch: inDay.filter((row) => row.verdict === 'mismatch').length }
  })
}

const projects = ['acme/web', 'acme/api', 'payments/ledger', 'platform/base-image']
const ranges = [
  { bucket: 'day', from: DEMO_END - 120 * DAY, to: DEMO_END },
  { bucket: 'week', from: DEMO_END - 730 * DAY, to: DEMO_END },
  // Edges inside a day: buckets still start at whole days.
  { bucket: 'day', from: DEMO_END - 45 * DAY + 3_600_000, to: DEMO_END - 5 * DAY - 7_200_000 },
  { bucket: 'week', from: DEMO_END - 60 * DAY + 1, to: DEMO_END + 10 * DAY },
] as const

async function compare(kind: StoreKind, where: { dataDir: string; databaseUrl?: string }) {
  const store = await openStore({ ...where, catchUpLog: false })
  const db = rawDb(kind, where)
  try {
    const app = createApp({ store, config: demoConfig(), version: 'test', demo: false })
    const summary = ReproducibilitySummary.parse(await (await app.request('/api/v1/reproducibility')).json())
    const reference = await referenceSummary(db)
    expect(reference.items.map((item) => item.project)).toEqual(expect.arrayContaining(projects))
    // Streaks of both kinds and of more than one verdict, so the day-split count is exercised.
    expect(reference.items.some((item) => (item.currentStreak?.length ?? 0) > 1)).toBe(true)
    expect(summary).toEqual(reference)
    for (const project of projects) {
      for (const range of ranges) {
        const query = `project=${encodeURIComponent(project)}&bucket=${range.bucket}&from=${new Date(range.from).toISOString()}&to=${new Date(range.to).toISOString()}`
        const response = await app.request(`/api/v1/reproducibility/history?${query}`)
        expect(response.status).toBe(200)
        const bucketed = bucketRange({ bucket: range.bucket, from: range.from, to: range.to }, DEMO_END)
        if ('message' in bucketed) throw new Error(bucketed.message)
        const expected = await referenceHistory(db, project, bucketed)
        expect(expected.matched + expected.mismatched).toBeGreaterThan(0)
        expect(ReproducibilityHistory.parse(await response.json())).toEqual(expected)
      }
    }
    const day = new Date(DEMO_END - DAY).toISOString().slice(0, 10)
    const overview = await store.alerts.overview(day, DEMO_END)
    const daily = await referenceDaily(db, Date.parse(`${day}T00:00:00Z`) + DAY)
    expect(daily.some((entry) => entry.match + entry.mismatch > 0)).toBe(true)
    expect(overview.daily.map((entry) => ({ match: entry.match, mismatch: entry.mismatch }))).toEqual(daily)
  } finally {
    await db.destroy()
    await store.close()
  }
}

describe.each(['sqlite', 'postgres'] as const)('rebuild verdict counters on %s', (kind) => {
  it('answer the summary, every history and the overview as the full aggregation did, kept as verdicts arrive and backfilled by the migration', async () => {
    const where = await location(kind)
    const store = await openStore({ ...where, catchUpLog: false })
    try {
      const builds = demoBuilds(400, 16)
      const config = demoConfig()
      const rebuilds = demoRebuilds(builds, 3)
      // In several requests, so verdicts of one project and day arrive in more than one transaction.
      for (const lines of [builds.map((build) => JSON.stringify(demoEnvelope(build))), rebuilds.map((rebuild) => JSON.stringify(demoRebuildEnvelope(rebuild)))]) {
        for (let offset = 0; offset < lines.length; offset += 150) {
          const result = await ingestBody(store, Buffer.from(lines.slice(offset, offset + 150).join('\n')), 'application/x-ndjson', ingestContext(config))
          if (!result.ok) throw new Error(result.error.message)
        }
      }
    } finally {
      await store.close()
    }
    await compare(kind, where)

    // A store that held the verdicts before migration 0029: its counters come from the backfill alone.
    const db = rawDb(kind, where)
    try {
      const migration = countersMigration(kind, kind === 'sqlite' ? { blob: 'blob', int64: 'integer' } : { blob: 'bytea', int64: 'bigint' })
      await migration.down?.(db)
      await migration.up(db)
      const counted = await db.selectFrom('rebuild_verdict_days').select((eb) => eb.fn.sum<number>('count').as('count')).executeTakeFirstOrThrow()
      const stored = await db.selectFrom('rebuilds').select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow()
      expect(Number(counted.count)).toBe(Number(stored.count))
    } finally {
      await db.destroy()
    }
    await compare(kind, where)
  })
})
