import { queryOptions } from '@tanstack/react-query'
import { getJson } from '../../api/client'
import { SearchResponse, searchHref } from '../../contract/search'

export const searchQueries = {
  all: () => ['search'] as const,
  results: (q: string) =>
    queryOptions({
      queryKey: [...searchQueries.all(), q] as const,
      // The address the server's preload hint names (searchHref), so a first visit's search is already answered.
      queryFn: ({ signal }) => getJson(searchHref(q), { schema: SearchResponse, signal }),
    }),
}
