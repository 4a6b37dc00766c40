import { infiniteQueryOptions } from '@tanstack/react-query'
import { getJson } from '../../api/client'
import { SignaturePage } from '../../contract/signatures'
import type { SignatureListFilter } from './lib/signatures-search'

export const signatureQueries = {
  all: () => ['signatures'] as const,
  lists: () => [...signatureQueries.all(), 'list'] as const,
  /** Newest first, a page per cursor; every page carries the counts by status for the same filters. */
  list: (filter: SignatureListFilter) =>
    infiniteQueryOptions({
      queryKey: [...signatureQueries.lists(), filter] as const,
      queryFn: ({ pageParam, signal }) => getJson('/api/v1/signatures', { query: { ...filter, cursor: pageParam }, schema: SignaturePage, signal }),
      initialPageParam: null as string | null,
      getNextPageParam: (lastPage) => lastPage.nextCursor,
    }),
}
