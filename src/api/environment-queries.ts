import { queryOptions } from '@tanstack/react-query'
import { EnvironmentList } from '../contract/deployments'
import { getJson } from './client'

/** What runs now, by environment: for the report form's choice of environment and the lineage's starting points. */
export const environmentQueries = {
  list: () =>
    queryOptions({
      queryKey: ['environments'] as const,
      queryFn: ({ signal }) => getJson('/api/v1/environments', { schema: EnvironmentList, signal }),
      staleTime: 60_000,
    }),
}
