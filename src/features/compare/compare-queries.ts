import { queryOptions } from '@tanstack/react-query'
import { getJson } from '../../api/client'
import { BuildDetail } from '../../contract/builds'
import type { BuildId } from '../../contract/common'
import { SearchResponse } from '../../contract/search'

export const compareQueries = {
  /**
   * The same key as the build page's detail query (`['builds', 'detail', id]`), on purpose: it is the same
   * resource parsed with the same schema, so a build opened on either page is fetched once.
   */
  build: (id: BuildId) =>
    queryOptions({
      queryKey: ['builds', 'detail', id] as const,
      queryFn: ({ signal }) => getJson(`/api/v1/builds/${id}`, { schema: BuildDetail, signal }),
      staleTime: Infinity, // a finished build's record never changes
    }),
  /** The search the header runs, under the search page's key (`['search', q]`): one resource, one cache entry. */
  search: (q: string) =>
    queryOptions({
      queryKey: ['search', q] as const,
      queryFn: ({ signal }) => getJson('/api/v1/search', { query: { q }, schema: SearchResponse, signal }),
    }),
}
