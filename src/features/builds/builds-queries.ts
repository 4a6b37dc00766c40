import { infiniteQueryOptions, queryOptions } from '@tanstack/react-query'
import { getJson } from '../../api/client'
import { BuildDetail, BuildPage } from '../../contract/builds'
import { BuildNeighbours } from '../../contract/builds'
import type { BuildId } from '../../contract/common'
import type { BuildListFilter } from './lib/builds-search'

export const buildQueries = {
  all: () => ['builds'] as const,
  lists: () => [...buildQueries.all(), 'list'] as const,
  /** Newest first, a page per cursor. The filter (limit included) is in the key: each filter has its own cache entry. */
  list: (filter: BuildListFilter) =>
    infiniteQueryOptions({
      queryKey: [...buildQueries.lists(), filter] as const,
      queryFn: ({ pageParam, signal }) =>
        getJson('/api/v1/builds', { query: { ...filter, cursor: pageParam }, schema: BuildPage, signal }),
      initialPageParam: null as string | null,
      getNextPageParam: (lastPage) => lastPage.nextCursor,
    }),
  detail: (id: BuildId) =>
    queryOptions({
      queryKey: [...buildQueries.all(), 'detail', id] as const,
      queryFn: ({ signal }) => getJson(`/api/v1/builds/${id}`, { schema: BuildDetail, signal }),
      staleTime: Infinity, // a finished build's record never changes
    }),
  /** The project's builds just before and after this one; a newer build can arrive, so not cached forever. */
  neighbours: (id: BuildId) =>
    queryOptions({
      queryKey: [...buildQueries.all(), 'neighbours', id] as const,
      queryFn: ({ signal }) => getJson(`/api/v1/builds/${id}/neighbours`, { schema: BuildNeighbours, signal }),
    }),
}
