import { z } from 'zod'
import type { BuildQueryInput } from '../../../contract/builds'
import { VerificationStatus } from '../../../contract/common'
import { dayBounds, droppedValue, filterText, isoDay, readParams, writeParams, type UnknownFilter } from '../../../lib/url-filters'

/**
 * Builds per request: more than a tall screen's table box shows, and the next page is asked for as the reader
 * scrolls near the end. Not more: every row of the table is laid out and painted again whenever its rows change (a
 * filter, a page), and with a hundred rows that took the browser 100-190 ms in one task with the CPU slowed 4x
 * (bench/browser.ts); with 25, under 50.
 */
export const BUILDS_PAGE_SIZE = 25

/**
 * The builds list's filters as they live in the URL. Anything unreadable falls back to "no filter" rather than
 * failing the page: a hand-edited or stale link still opens.
 */
export const BuildsSearch = z.object({
  project: filterText,
  status: VerificationStatus.optional().catch(undefined),
  /** A source commit: a full SHA or a prefix of 7 or more hex characters. */
  commit: z
    .string()
    .trim()
    .regex(/^[0-9a-fA-F]{7,64}$/)
    .transform((value) => value.toLowerCase())
    .optional()
    .catch(undefined),
  /** First day included, `YYYY-MM-DD`, UTC. */
  from: isoDay,
  /** Last day included, `YYYY-MM-DD`, UTC. */
  to: isoDay,
})

const keys = ['project', 'status', 'commit', 'from', 'to'] as const
export type BuildsSearch = z.infer<typeof BuildsSearch>

export function parseBuildsSearch(params: URLSearchParams): BuildsSearch {
  return BuildsSearch.parse(readParams(params, keys))
}

/** The URL's filter values that name nothing, each said in a sentence; `projects` once the list has loaded. */
export function unknownBuildFilters(params: URLSearchParams, search: BuildsSearch, projects: readonly string[] | undefined): UnknownFilter[] {
  return [
    ...(search.project !== undefined && projects !== undefined && !projects.includes(search.project)
      ? [{ param: 'project', value: search.project, message: `There is no project named ${search.project}, so no build matches it.` }]
      : []),
    ...droppedValue(params, 'status', search.status, (value) => `There is no status named ${value}; showing every status.`),
    ...droppedValue(params, 'commit', search.commit, (value) => `${value} is not a commit: a commit is a SHA, or at least its first 7 hexadecimal characters. Showing every commit.`),
    ...droppedValue(params, 'from', search.from, (value) => `${value} is not a date; showing builds from any day.`),
    ...droppedValue(params, 'to', search.to, (value) => `${value} is not a date; showing builds to any day.`),
  ]
}

/** Every filter unset: what Clear filters applies. */
export const noBuildFilters: BuildsSearch = { project: undefined, status: undefined, commit: undefined, from: undefined, to: undefined }

export function hasFilters(search: BuildsSearch): boolean {
  return Object.values(search).some((value) => value !== undefined)
}

/** The API filter of a builds search: `to` is a whole day, so the API bound is the next midnight (exclusive). */
export type BuildListFilter = Omit<BuildQueryInput, 'cursor' | 'limit'> & { limit: number }

export function toBuildListFilter(search: BuildsSearch): BuildListFilter {
  const filter: BuildListFilter = { limit: BUILDS_PAGE_SIZE, ...dayBounds(search.from, search.to) }
  if (search.project !== undefined) filter.project = search.project
  if (search.status !== undefined) filter.status = search.status
  if (search.commit !== undefined) filter.commit = search.commit
  return filter
}

/** The URL query of a builds search, unset filters left out. */
export function toSearchParams(search: BuildsSearch): URLSearchParams {
  return writeParams(search, keys)
}
