import type { HistoryBucket, ReproducibilityHistory } from '../../../contract/reproducibility'
import { formatCount } from '../../../lib/format'

export type SeriesPoint = {
  /** Bucket start, epoch ms (UTC). */
  start: number
  /** Bucket end (exclusive), epoch ms. */
  end: number
  matched: number
  mismatched: number
  /** Share matched, 0–100; null in a bucket without rebuilds, so the line skips it instead of dropping to 0. */
  passRate: number | null
}

/**
 * Charts get at most this many bars: a bar per pixel column is already unreadable, and recharts' cost grows with
 * every mark (PERFORMANCE.md). Longer series are merged into equal groups of consecutive buckets.
 */
export const MAX_BARS = 120

const DAY = 86_400_000

/** The server's buckets as chart points, merged into at most `maxBars` groups of consecutive buckets. */
export function toSeries(history: Pick<ReproducibilityHistory, 'buckets' | 'bucket' | 'to'>, maxBars = MAX_BARS): { points: SeriesPoint[]; bucketDays: number } {
  const size = history.bucket === 'day' ? 1 : 7
  const buckets = history.buckets
  const group = Math.max(1, Math.ceil(buckets.length / maxBars))
  const points: SeriesPoint[] = []
  for (let index = 0; index < buckets.length; index += group) {
    const slice = buckets.slice(index, index + group)
    const first = slice[0] as HistoryBucket
    const start = Date.parse(first.start)
    const next = buckets[index + group]
    const end = next ? Date.parse(next.start) : Math.min(Date.parse(history.to), start + slice.length * size * DAY) || start + slice.length * size * DAY
    let matched = 0
    let mismatched = 0
    for (const bucket of slice) {
      matched += bucket.matched
      mismatched += bucket.mismatched
    }
    const total = matched + mismatched
    points.push({ start, end, matched, mismatched, passRate: total === 0 ? null : Math.round((matched / total) * 1000) / 10 })
  }
  return { points, bucketDays: group * size }
}

/** The chart's one-line text summary, e.g. "93% of 412 rebuilds matched in the last 30 days". */
export function historySummary(history: Pick<ReproducibilityHistory, 'matched' | 'mismatched'>, days: number): string {
  const total = history.matched + history.mismatched
  const period = `in the last ${days} days`
  if (total === 0) return `No rebuilds were recorded ${period}.`
  const share = Math.floor((history.matched / total) * 100)
  // Never round a single mismatch away: 99.9% is shown as 99%, not 100%.
  return `${share}% of ${formatCount(total)} ${total === 1 ? 'rebuild' : 'rebuilds'} matched ${period}.`
}

/** How a bucket length reads in a caption: "day", "week", "2 weeks", "14 days". */
export function bucketName(days: number): string {
  if (days === 1) return 'day'
  if (days === 7) return 'week'
  if (days % 7 === 0) return `${days / 7} weeks`
  return `${days} days`
}
