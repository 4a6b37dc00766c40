import { infiniteQueryOptions, queryOptions } from '@tanstack/react-query'
import { getJson } from '../../api/client'
import { BuildDetail, BuildPage, ProjectList } from '../../contract/builds'
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
}

export const projectQueries = {
  all: () => ['projects'] as const,
  list: () =>
    queryOptions({
      queryKey: [...projectQueries.all(), 'list'] as const,
      queryFn: ({ signal }) => getJson('/api/v1/projects', { schema: ProjectList, signal }),
      staleTime: 5 * 60_000, // projects appear rarely; the filter can wait a few minutes to learn of a new one
    }),
}
