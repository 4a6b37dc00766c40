import { z } from 'zod'
import type { BuildQueryInput } from '../../../contract/builds'
import { VerificationStatus } from '../../../contract/common'

/** Builds per request: enough to fill a tall screen twice, small enough to answer fast. */
export const BUILDS_PAGE_SIZE = 100

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .refine((value) => !Number.isNaN(Date.parse(`${value}T00:00:00Z`)))

/**
 * The builds list's filters as they live in the URL. Anything unreadable falls back to "no filter" rather than
 * failing the page: a hand-edited or stale link still opens.
 */
export const BuildsSearch = z.object({
  project: z.string().trim().min(1).max(512).optional().catch(undefined),
  status: VerificationStatus.optional().catch(undefined),
  /** First day included, `YYYY-MM-DD`, UTC. */
  from: isoDate.optional().catch(undefined),
  /** Last day included, `YYYY-MM-DD`, UTC. */
  to: isoDate.optional().catch(undefined),
})
export type BuildsSearch = z.infer<typeof BuildsSearch>

export function parseBuildsSearch(params: URLSearchParams): BuildsSearch {
  const read = (key: string) => {
    const value = params.get(key)
    return value === null || value === '' ? undefined : value
  }
  return BuildsSearch.parse({ project: read('project'), status: read('status'), from: read('from'), to: read('to') })
}

export function hasFilters(search: BuildsSearch): boolean {
  return Object.values(search).some((value) => value !== undefined)
}

/** The API filter of a builds search: `to` is a whole day, so the API bound is the next midnight (exclusive). */
export type BuildListFilter = Omit<BuildQueryInput, 'cursor' | 'limit'> & { limit: number }

export function toBuildListFilter(search: BuildsSearch): BuildListFilter {
  const filter: BuildListFilter = { limit: BUILDS_PAGE_SIZE }
  if (search.project !== undefined) filter.project = search.project
  if (search.status !== undefined) filter.status = search.status
  if (search.from !== undefined) filter.from = `${search.from}T00:00:00.000Z`
  if (search.to !== undefined) {
    const next = new Date(`${search.to}T00:00:00.000Z`)
    next.setUTCDate(next.getUTCDate() + 1)
    filter.to = next.toISOString()
  }
  return filter
}

/** The URL query of a builds search, unset filters left out. */
export function toSearchParams(search: BuildsSearch): URLSearchParams {
  const params = new URLSearchParams()
  for (const key of ['project', 'status', 'from', 'to'] as const) {
    const value = search[key]
    if (value !== undefined) params.set(key, value)
  }
  return params
}
