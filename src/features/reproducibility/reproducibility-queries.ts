import { queryOptions } from '@tanstack/react-query'
import { getJson } from '../../api/client'
import { RebuilderMatrix, ReproducibilityHistory, ReproducibilitySummary } from '../../contract/reproducibility'
import { markHistoryData } from './lib/history-marks'

export const MATRIX_ROWS = 30

export const reproducibilityQueries = {
  all: () => ['reproducibility'] as const,
  summary: () =>
    queryOptions({
      queryKey: [...reproducibilityQueries.all(), 'summary'] as const,
      queryFn: ({ signal }) => getJson('/api/v1/reproducibility', { schema: ReproducibilitySummary, signal }),
    }),
  /** `from`/`to` are whole UTC days (see rangeBounds), so the key is stable for a day. */
  history: (project: string, from: string, to: string) =>
    queryOptions({
      queryKey: [...reproducibilityQueries.all(), 'history', { project, from, to }] as const,
      queryFn: async ({ signal }) => {
        const history = await getJson('/api/v1/reproducibility/history', { query: { project, from, to, bucket: 'auto' }, schema: ReproducibilityHistory, signal })
        markHistoryData()
        return history
      },
    }),
  matrix: (project: string, limit: number = MATRIX_ROWS) =>
    queryOptions({
      queryKey: [...reproducibilityQueries.all(), 'matrix', { project, limit }] as const,
      queryFn: ({ signal }) => getJson('/api/v1/reproducibility/matrix', { query: { project, limit }, schema: RebuilderMatrix, signal }),
    }),
}
