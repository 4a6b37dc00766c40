import { queryOptions } from '@tanstack/react-query'
import { getJson } from '../../api/client'
import { Overview } from '../../contract/overview'

export const overviewQueries = {
  all: () => ['overview'] as const,
  /** The figures for whole UTC days ending with `day`, so each matches the list it links to. */
  forDay: (day: string) =>
    queryOptions({
      queryKey: [...overviewQueries.all(), day] as const,
      queryFn: ({ signal }) => getJson('/api/v1/overview', { query: { day }, schema: Overview, signal }),
    }),
}
