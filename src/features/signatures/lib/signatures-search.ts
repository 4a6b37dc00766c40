import { z } from 'zod'
import { VerificationStatus } from '../../../contract/common'
import type { SignatureQueryInput } from '../../../contract/signatures'
import { dayBounds, droppedValue, filterText, isoDay, readParams, writeParams, type UnknownFilter } from '../../../lib/url-filters'

/** Signatures per request: as many as builds, for the same reason (BUILDS_PAGE_SIZE). */
export const SIGNATURES_PAGE_SIZE = 25

/** The signatures list's filters as they live in the URL; anything unreadable is "no filter". */
export const SignaturesSearch = z.object({
  status: VerificationStatus.optional().catch(undefined),
  project: filterText,
  signer: filterText,
  /** First day included, `YYYY-MM-DD`, UTC. */
  from: isoDay,
  /** Last day included, `YYYY-MM-DD`, UTC. */
  to: isoDay,
})
export type SignaturesSearch = z.infer<typeof SignaturesSearch>

const keys = ['status', 'project', 'signer', 'from', 'to'] as const

export const noSignatureFilters: SignaturesSearch = { status: undefined, project: undefined, signer: undefined, from: undefined, to: undefined }

export function parseSignaturesSearch(params: URLSearchParams): SignaturesSearch {
  return SignaturesSearch.parse(readParams(params, keys))
}

/** The URL's filter values that name nothing, each said in a sentence; `projects` once the list has loaded. */
export function unknownSignatureFilters(params: URLSearchParams, search: SignaturesSearch, projects: readonly string[] | undefined): UnknownFilter[] {
  return [
    ...(search.project !== undefined && projects !== undefined && !projects.includes(search.project)
      ? [{ param: 'project', value: search.project, message: `There is no project named ${search.project}, so no signature matches it.` }]
      : []),
    ...droppedValue(params, 'status', search.status, (value) => `There is no status named ${value}; showing every status.`),
    ...droppedValue(params, 'from', search.from, (value) => `${value} is not a date; showing results from any day.`),
    ...droppedValue(params, 'to', search.to, (value) => `${value} is not a date; showing results to any day.`),
  ]
}

export function hasSignatureFilters(search: SignaturesSearch): boolean {
  return Object.values(search).some((value) => value !== undefined)
}

export type SignatureListFilter = Omit<SignatureQueryInput, 'cursor' | 'limit'> & { limit: number }

/** The API filter: whole UTC days, `to` exclusive at the next midnight; unset filters left out of the cache key. */
export function toSignatureFilter(search: SignaturesSearch): SignatureListFilter {
  const filter: SignatureListFilter = { limit: SIGNATURES_PAGE_SIZE, ...dayBounds(search.from, search.to) }
  if (search.status !== undefined) filter.status = search.status
  if (search.project !== undefined) filter.project = search.project
  if (search.signer !== undefined) filter.signer = search.signer
  return filter
}

export function toSignatureSearchParams(search: SignaturesSearch): URLSearchParams {
  return writeParams(search, keys)
}
