import { z } from 'zod'
import { VerificationStatus } from '../../../contract/common'
import type { SignatureQueryInput } from '../../../contract/explore'

export const SIGNATURES_PAGE_SIZE = 100

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .refine((value) => !Number.isNaN(Date.parse(`${value}T00:00:00Z`)))

/** The signatures list's filters as they live in the URL; anything unreadable is "no filter". */
export const SignaturesSearch = z.object({
  status: VerificationStatus.optional().catch(undefined),
  project: z.string().trim().min(1).max(512).optional().catch(undefined),
  signer: z.string().trim().min(1).max(512).optional().catch(undefined),
  /** First day included, `YYYY-MM-DD`, UTC. */
  from: isoDate.optional().catch(undefined),
  /** Last day included, `YYYY-MM-DD`, UTC. */
  to: isoDate.optional().catch(undefined),
})
export type SignaturesSearch = z.infer<typeof SignaturesSearch>

const keys = ['status', 'project', 'signer', 'from', 'to'] as const

export const noSignatureFilters: SignaturesSearch = { status: undefined, project: undefined, signer: undefined, from: undefined, to: undefined }

export function parseSignaturesSearch(params: URLSearchParams): SignaturesSearch {
  const read = (key: string) => {
    const value = params.get(key)
    return value === null || value === '' ? undefined : value
  }
  return SignaturesSearch.parse(Object.fromEntries(keys.map((key) => [key, read(key)])))
}

export function hasSignatureFilters(search: SignaturesSearch): boolean {
  return Object.values(search).some((value) => value !== undefined)
}

export type SignatureListFilter = Omit<SignatureQueryInput, 'cursor' | 'limit'> & { limit: number }

/** The API filter: whole UTC days, `to` exclusive at the next midnight; unset filters left out of the cache key. */
export function toSignatureFilter(search: SignaturesSearch): SignatureListFilter {
  const filter: SignatureListFilter = { limit: SIGNATURES_PAGE_SIZE }
  if (search.status !== undefined) filter.status = search.status
  if (search.project !== undefined) filter.project = search.project
  if (search.signer !== undefined) filter.signer = search.signer
  if (search.from !== undefined) filter.from = `${search.from}T00:00:00.000Z`
  if (search.to !== undefined) {
    const next = new Date(`${search.to}T00:00:00.000Z`)
    next.setUTCDate(next.getUTCDate() + 1)
    filter.to = next.toISOString()
  }
  return filter
}

export function toSignatureSearchParams(search: SignaturesSearch): URLSearchParams {
  const params = new URLSearchParams()
  for (const key of keys) {
    const value = search[key]
    if (value !== undefined) params.set(key, value)
  }
  return params
}
