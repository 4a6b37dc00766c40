import { sql, type Kysely } from 'kysely'
import { Overview, type StatusTally } from '../../src/contract/overview'
import { verificationStatuses } from '../../src/contract/common'
import { summaries, summaryColumns } from '../builds/summaries'
import type { Database } from '../store/schema'

/*
 * The overview's figures, each one grouped count over an index range (builds by (status, time), rebuilds by time),
 * so the page answers in a few milliseconds whatever the store's size. Days are UTC.
 */

const DAY = 86_400_000
const dayText = (ms: number) => new Date(ms).toISOString().slice(0, 10)

export async function overviewFor(db: Kysely<Database>, day: string, openAlerts: Overview['openAlerts'], now: number): Promise<Overview> {
  const end = Date.parse(`${day}T00:00:00Z`) + DAY
  const window = (days: number, back = 0) => ({ from: end - (days + back) * DAY, to: end - back * DAY })

  const tally = async (range: { from: number; to: number }): Promise<StatusTally> => {
    const rows = await db
      .selectFrom('builds')
      .select((eb) => ['status', eb.fn.countAll<number>().as('count')])
      .where('time', '>=', range.from)
      .where('time', '<', range.to)
      .groupBy('status')
      .execute()
    const counts: StatusTally = { verified: 0, failed: 0, untrusted: 0, unsigned: 0, unverifiable: 0 }
    for (const row of rows) if ((verificationStatuses as readonly string[]).includes(row.status)) counts[row.status as keyof StatusTally] = Number(row.count)
    return counts
  }
  const verdicts = async (range: { from: number; to: number }) => {
    const rows = await db
      .selectFrom('rebuilds')
      .select((eb) => ['verdict', eb.fn.countAll<number>().as('count')])
      .where('time', '>=', range.from)
      .where('time', '<', range.to)
      .groupBy('verdict')
      .execute()
    return { match: Number(rows.find((row) => row.verdict === 'match')?.count ?? 0), mismatch: Number(rows.find((row) => row.verdict === 'mismatch')?.count ?? 0) }
  }
  const verification = async (days: number) => {
    const range = window(days)
    return { window: { from: dayText(range.from), to: dayText(range.to - DAY) }, counts: await tally(range), previous: await tally(window(days, days)) }
  }
  const reproducibility = async (days: number) => {
    const range = window(days)
    const current = await verdicts(range)
    const previous = await verdicts(window(days, days))
    return { window: { from: dayText(range.from), to: dayText(range.to - DAY) }, ...current, previousMatch: previous.match, previousMismatch: previous.mismatch }
  }

  // Daily series: integer division of the time since the window's start; both engines divide integers exactly.
  // Grouped by the output's name: PostgreSQL sends the expression's numbers as new parameters in GROUP BY, and then
  // no longer sees the select's expression there (error 42803).
  const start = end - 30 * DAY
  const bucket = sql<number>`cast((time - ${start}) / ${DAY} as integer)`
  const byBucket = sql.ref('bucket')
  const buildDays = await db
    .selectFrom('builds')
    .select((eb) => [bucket.as('bucket'), 'status', eb.fn.countAll<number>().as('count')])
    .where('time', '>=', start)
    .where('time', '<', end)
    .groupBy([byBucket, 'status'])
    .execute()
  const rebuildDays = await db
    .selectFrom('rebuilds')
    .select((eb) => [bucket.as('bucket'), 'verdict', eb.fn.countAll<number>().as('count')])
    .where('time', '>=', start)
    .where('time', '<', end)
    .groupBy([byBucket, 'verdict'])
    .execute()
  const daily = Array.from({ length: 30 }, (_, index) => ({ day: dayText(start + index * DAY), builds: 0, verified: 0, match: 0, mismatch: 0 }))
  for (const row of buildDays) {
    const entry = daily[Number(row.bucket)]
    if (!entry) continue
    entry.builds += Number(row.count)
    if (row.status === 'verified') entry.verified += Number(row.count)
  }
  for (const row of rebuildDays) {
    const entry = daily[Number(row.bucket)]
    if (!entry) continue
    if (row.verdict === 'match') entry.match += Number(row.count)
    else entry.mismatch += Number(row.count)
  }

  const failures = await db.selectFrom('builds').select(summaryColumns).where('status', '=', 'failed').where('time', '<', end).orderBy('time', 'desc').orderBy('id', 'desc').limit(5).execute()
  return Overview.parse({
    day,
    generatedAt: new Date(now).toISOString(),
    openAlerts,
    verification: { last7: await verification(7), last30: await verification(30) },
    reproducibility: { last7: await reproducibility(7), last30: await reproducibility(30) },
    daily,
    recentFailures: await summaries(db, failures),
    unverifiedDeployments: null,
  })
}
