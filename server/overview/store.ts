import { sql, type Kysely } from 'kysely'
import { Overview, type StatusTally } from '../../src/contract/overview'
import { verificationStatuses } from '../../src/contract/common'
import { summaries, summaryColumns } from '../builds/summaries'
import { verdictDays } from '../rebuilds/counters'
import type { Database } from '../store/schema'

/*
 * The overview's figures: one grouped count per table over the last 60 whole days (an index range on time), every
 * window and the daily series summed from it. Days are UTC.
 */

const DAY = 86_400_000
const dayText = (ms: number) => new Date(ms).toISOString().slice(0, 10)

export async function overviewFor(db: Kysely<Database>, day: string, openAlerts: Overview['openAlerts'], now: number): Promise<Overview> {
  const end = Date.parse(`${day}T00:00:00Z`) + DAY
  const window = (days: number, back = 0) => ({ from: end - (days + back) * DAY, to: end - back * DAY })

  // Every figure is a sum of whole days, so the last 60 days are read once per table, grouped by day and status (or
  // verdict), and the windows (the last 7 and 30 days and the same spans before them) and the 30-day series are summed
  // from those rows. Read window by window, a store whose builds mostly fall in the last two months was scanned five
  // times per request. Integer division of the time since the first day; both engines divide integers exactly.
  // Grouped by the output's name: PostgreSQL sends the expression's numbers as new parameters in GROUP BY, and then
  // no longer sees the select's expression there (error 42803).
  const SPAN = 60
  const start = end - SPAN * DAY
  const bucket = sql<number>`cast((time - ${start}) / ${DAY} as integer)`
  const byBucket = sql.ref('bucket')
  const buildDays = await db
    .selectFrom('builds')
    .select((eb) => [bucket.as('bucket'), 'status', eb.fn.countAll<number>().as('count')])
    .where('time', '>=', start)
    .where('time', '<', end)
    .groupBy([byBucket, 'status'])
    .execute()
  // Rebuild verdicts from the counters kept per day (migration 0029), not the verdicts themselves.
  const rebuildDays = (await verdictDays(db, { from: start, to: end })).map((row) => ({ bucket: (row.day - start) / DAY, verdict: row.verdict, count: row.count }))
  /** Day `index` of the 60, counted from `start`. */
  const statuses = Array.from({ length: SPAN }, (): StatusTally => ({ verified: 0, failed: 0, untrusted: 0, unsigned: 0, unverifiable: 0 }))
  const rebuilt = Array.from({ length: SPAN }, () => ({ match: 0, mismatch: 0 }))
  for (const row of buildDays) {
    const entry = statuses[Number(row.bucket)]
    if (entry && (verificationStatuses as readonly string[]).includes(row.status)) entry[row.status as keyof StatusTally] += Number(row.count)
  }
  for (const row of rebuildDays) {
    const entry = rebuilt[Number(row.bucket)]
    if (entry && (row.verdict === 'match' || row.verdict === 'mismatch')) entry[row.verdict] += Number(row.count)
  }
  /** The days of window(days, back) as indexes into the 60. */
  const daysOf = (days: number, back: number) => Array.from({ length: days }, (_, index) => SPAN - back - days + index)
  const tally = (days: number, back = 0): StatusTally => {
    const counts: StatusTally = { verified: 0, failed: 0, untrusted: 0, unsigned: 0, unverifiable: 0 }
    for (const index of daysOf(days, back)) for (const status of verificationStatuses) counts[status] += statuses[index]?.[status] ?? 0
    return counts
  }
  const verdicts = (days: number, back = 0) => {
    const counts = { match: 0, mismatch: 0 }
    for (const index of daysOf(days, back)) {
      counts.match += rebuilt[index]?.match ?? 0
      counts.mismatch += rebuilt[index]?.mismatch ?? 0
    }
    return counts
  }
  const windowText = (days: number) => {
    const range = window(days)
    return { from: dayText(range.from), to: dayText(range.to - DAY) }
  }
  const verification = (days: number) => ({ window: windowText(days), counts: tally(days), previous: tally(days, days) })
  const reproducibility = (days: number) => {
    const previous = verdicts(days, days)
    return { window: windowText(days), ...verdicts(days), previousMatch: previous.match, previousMismatch: previous.mismatch }
  }
  const daily = daysOf(30, 0).map((index) => {
    const counts = statuses[index]
    return {
      day: dayText(start + index * DAY),
      builds: counts ? verificationStatuses.reduce((sum, status) => sum + counts[status], 0) : 0,
      verified: counts?.verified ?? 0,
      match: rebuilt[index]?.match ?? 0,
      mismatch: rebuilt[index]?.mismatch ?? 0,
    }
  })

  const failures = await db.selectFrom('builds').select(summaryColumns).where('status', '=', 'failed').where('time', '<', end).orderBy('time', 'desc').orderBy('id', 'desc').limit(5).execute()
  return Overview.parse({
    day,
    generatedAt: new Date(now).toISOString(),
    openAlerts,
    verification: { last7: verification(7), last30: verification(30) },
    reproducibility: { last7: reproducibility(7), last30: reproducibility(30) },
    daily,
    recentFailures: await summaries(db, failures),
    unverifiedDeployments: null,
  })
}
