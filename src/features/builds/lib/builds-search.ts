import { z } from 'zod'
import type { BuildQueryInput } from '../../../contract/builds'
import { VerificationStatus } from '../../../contract/common'
import { dayBounds, filterText, isoDay, readParams, writeParams } from '../../../lib/url-filters'

/** Builds per request: enough to fill a tall screen twice, small enough to answer fast. */
export const BUILDS_PAGE_SIZE = 100

/**
 * The builds list's filters as they live in the URL. Anything unreadable falls back to "no filter" rather than
 * failing the page: a hand-edited or stale link still opens.
 */
export const BuildsSearch = z.object({
  project: filterText,
  status: VerificationStatus.optional().catch(undefined),
  /** First day included, `YYYY-MM-DD`, UTC. */
  from: isoDay,
  /** Last day included, `YYYY-MM-DD`, UTC. */
  to: isoDay,
})

const keys = ['project', 'status', 'from', 'to'] as const
export type BuildsSearch = z.infer<typeof BuildsSearch>

export function parseBuildsSearch(params: URLSearchParams): BuildsSearch {
  return BuildsSearch.parse(readParams(params, keys))
}

export function hasFilters(search: BuildsSearch): boolean {
  return Object.values(search).some((value) => value !== undefined)
}

/** The API filter of a builds search: `to` is a whole day, so the API bound is the next midnight (exclusive). */
export type BuildListFilter = Omit<BuildQueryInput, 'cursor' | 'limit'> & { limit: number }

export function toBuildListFilter(search: BuildsSearch): BuildListFilter {
  const filter: BuildListFilter = { limit: BUILDS_PAGE_SIZE, ...dayBounds(search.from, search.to) }
  if (search.project !== undefined) filter.project = search.project
  if (search.status !== undefined) filter.status = search.status
  return filter
}

/** The URL query of a builds search, unset filters left out. */
export function toSearchParams(search: BuildsSearch): URLSearchParams {
  return writeParams(search, keys)
}
