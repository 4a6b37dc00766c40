import { queryOptions } from '@tanstack/react-query'
import { getJson } from '../../api/client'
import { SearchResponse } from '../../contract/search'

export const searchQueries = {
  all: () => ['search'] as const,
  results: (q: string) =>
    queryOptions({
      queryKey: [...searchQueries.all(), q] as const,
      queryFn: ({ signal }) => getJson('/api/v1/search', { query: { q }, schema: SearchResponse, signal }),
    }),
}
