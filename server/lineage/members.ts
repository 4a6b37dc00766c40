import type { Judged } from '../../domain/lineage-edges'
import type { Members } from '../../domain/lineage-walk'
import type { Ask } from './batch'

/* What every relation of the lineage reader shares: a group's members counted and judged, and read up to a limit. */

export const hexOf = (digest: string) => digest.replace(/^sha256:/, '')
export const noStates = () => ({ verified: 0, failed: 0, unverified: 0 })

/** Counts per key, each row's members judged alike: a key's total and its edge states. */
export type Counted = { key: string | null; count: number | string | bigint; judged: Judged }

export function tally(rows: readonly Counted[]): Map<string, { total: number; states: Record<'verified' | 'failed' | 'unverified', number> }> {
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
export async function membersByKey<Row, T>(
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

/** At most 500 values an `in (...)` list, under every engine's parameter limit. */
export function chunked<T>(values: readonly T[]): T[][] {
  const out: T[][] = []
  for (let start = 0; start < values.length; start += 500) out.push(values.slice(start, start + 500))
  return out
}

export function groupRows<Row>(rows: readonly Row[], keyOf: (row: Row) => string): Map<string, Row[]> {
  const byKey = new Map<string, Row[]>()
  for (const row of rows) {
    const key = keyOf(row)
    const list = byKey.get(key) ?? []
    list.push(row)
    byKey.set(key, list)
  }
  return byKey
}
