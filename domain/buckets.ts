/*
 * The time buckets of a reproducibility history: UTC days, or weeks starting on Monday. Pure, so the range rules
 * are tested without a store.
 */

export type BucketSize = 'day' | 'week'

export const DAY = 86_400_000
export const WEEK = 7 * DAY
/** 1970-01-05, the first Monday of the epoch: weeks are counted from it. */
const FIRST_MONDAY = 4 * DAY
/** `auto` picks days up to this range, weeks beyond. */
export const AUTO_DAY_LIMIT = 120 * DAY
/** Without `from`, a history covers this much before `to`. */
export const DEFAULT_RANGE = 120 * DAY
/** More buckets than this is not a chart anyone can read, and not a response anyone should wait for. */
export const MAX_BUCKETS = 1500

export const bucketMs = (size: BucketSize) => (size === 'day' ? DAY : WEEK)

/** The start of the bucket holding `ms`. */
export function bucketStart(ms: number, size: BucketSize): number {
  if (size === 'day') return Math.floor(ms / DAY) * DAY
  return Math.floor((ms - FIRST_MONDAY) / WEEK) * WEEK + FIRST_MONDAY
}

export type BucketRange = { size: BucketSize; start: number; end: number; count: number }

export type RangeProblem = { message: string; path: 'query.from' | 'query.to' | 'query.bucket' }

/**
 * Turns the query's range into whole buckets: from the bucket holding `from` to the one holding the last
 * instant before `to` (`to` is exclusive, as in every list of this API). Defaults: `to` = now, `from` = 120 days
 * before `to`.
 */
export function bucketRange(query: { bucket: BucketSize | 'auto'; from?: number; to?: number }, now: number): BucketRange | RangeProblem {
  const to = query.to ?? now
  const from = query.from ?? to - DEFAULT_RANGE
  if (from >= to) {
    return { message: `from (${new Date(from).toISOString()}) must be before to (${new Date(to).toISOString()})`, path: query.from === undefined ? 'query.to' : 'query.from' }
  }
  const size: BucketSize = query.bucket === 'auto' ? (to - from <= AUTO_DAY_LIMIT ? 'day' : 'week') : query.bucket
  const start = bucketStart(from, size)
  const end = bucketStart(to - 1, size) + bucketMs(size)
  const count = Math.round((end - start) / bucketMs(size))
  if (count > MAX_BUCKETS) {
    return {
      message: `${count} ${size} buckets is more than the ${MAX_BUCKETS} a history may have; use ${size === 'day' ? 'bucket=week or ' : ''}a shorter range`,
      path: 'query.bucket',
    }
  }
  return { size, start, end, count }
}
