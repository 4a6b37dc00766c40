import { z } from 'zod'

export const ranges = ['30', '90', '365', '730'] as const
export type RangeDays = (typeof ranges)[number]

export const rangeLabels: Record<RangeDays, string> = { '30': '30 days', '90': '90 days', '365': '1 year', '730': '2 years' }

/** The page's state as it lives in the URL: the selected project and the history's range in days. */
export const ReproducibilitySearch = z.object({
  project: z.string().trim().min(1).max(512).optional().catch(undefined),
  range: z.enum(ranges).catch('30'),
})
export type ReproducibilitySearch = z.infer<typeof ReproducibilitySearch>

export function parseReproducibilitySearch(params: URLSearchParams): ReproducibilitySearch {
  return ReproducibilitySearch.parse({ project: params.get('project') ?? undefined, range: params.get('range') ?? undefined })
}

const DAY = 86_400_000

/**
 * The history's bounds: whole UTC days, today included, so that the query key (and the cache entry) stays the
 * same all day long instead of changing with every millisecond of `now`.
 */
export function rangeBounds(range: RangeDays, now: number): { from: string; to: string } {
  const tomorrow = Math.floor(now / DAY) * DAY + DAY
  return { from: new Date(tomorrow - Number(range) * DAY).toISOString(), to: new Date(tomorrow).toISOString() }
}
