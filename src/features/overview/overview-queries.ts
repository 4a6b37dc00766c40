import { queryOptions } from '@tanstack/react-query'
import { getJson } from '../../api/client'
import { Overview, overviewHref } from '../../contract/overview'

export const overviewQueries = {
  all: () => ['overview'] as const,
  /** The figures for whole UTC days ending with `day`, so each matches the list it links to. */
  forDay: (day: string) =>
    queryOptions({
      queryKey: [...overviewQueries.all(), day] as const,
      // The address the server's preload hint names (overviewHref), so a first visit's request is already answered.
      queryFn: ({ signal }) => getJson(overviewHref(day), { schema: Overview, signal }),
    }),
}
