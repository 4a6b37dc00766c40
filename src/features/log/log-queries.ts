import { queryOptions } from '@tanstack/react-query'
import { getJson } from '../../api/client'
import { LogCheckpoint } from '../../contract/log'

export const logQueries = {
  all: () => ['log'] as const,
  checkpoint: () =>
    queryOptions({
      queryKey: [...logQueries.all(), 'checkpoint'] as const,
      queryFn: ({ signal }) => getJson('/api/v1/log/checkpoint', { schema: LogCheckpoint, signal }),
      // Every ingest signs a new checkpoint; a minute old is recent enough to show.
      staleTime: 60_000,
    }),
}
