import { DAY } from '../../domain/buckets'
import type { Db } from '../store/db'

/*
 * Reads of the rebuild verdict counters (migration 0029: kept by a trigger on every new verdict). They return raw
 * counts per stored verdict value; what a verdict value means is decided by the callers with domain/reproducibility.ts.
 */

export type VerdictTotal = { project: string; verdict: string; count: number; last: number }

/** Per (project, verdict): how many verdicts and the newest one's time; one project, or all. */
export async function verdictTotals(db: Db, project?: string): Promise<VerdictTotal[]> {
  let select = db.selectFrom('rebuild_verdict_totals').select(['project', 'verdict', 'count', 'last'])
  if (project !== undefined) select = select.where('project', '=', project)
  const rows = await select.execute()
  return rows.map((row) => ({ project: row.project, verdict: row.verdict, count: Number(row.count), last: Number(row.last) }))
}

export type VerdictDay = { day: number; verdict: string; count: number }

/** Verdicts per UTC day (its start in ms) and verdict, for days in [from, to): one project's, or every project's summed. */
export async function verdictDays(db: Db, range: { from: number; to: number }, project?: string): Promise<VerdictDay[]> {
  if (project !== undefined) {
    const rows = await db
      .selectFrom('rebuild_verdict_days')
      .select(['day', 'verdict', 'count'])
      .where('project', '=', project)
      .where('day', '>=', range.from)
      .where('day', '<', range.to)
      .execute()
    return rows.map((row) => ({ day: Number(row.day), verdict: row.verdict, count: Number(row.count) }))
  }
  const rows = await db
    .selectFrom('rebuild_verdict_days')
    .select((eb) => ['day', 'verdict', eb.fn.sum<number>('count').as('count')])
    .where('day', '>=', range.from)
    .where('day', '<', range.to)
    .groupBy(['day', 'verdict'])
    .execute()
  return rows.map((row) => ({ day: Number(row.day), verdict: row.verdict, count: Number(row.count) }))
}

/** The start of the UTC day holding `ms`, as the counters key it. */
export const dayStart = (ms: number) => Math.floor(ms / DAY) * DAY
