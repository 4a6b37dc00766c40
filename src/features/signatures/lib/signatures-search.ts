import { z } from 'zod'
import { VerificationStatus } from '../../../contract/common'
import type { SignatureQueryInput } from '../../../contract/signatures'
import { dayBounds, filterText, isoDay, readParams, writeParams } from '../../../lib/url-filters'

export const SIGNATURES_PAGE_SIZE = 100

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
