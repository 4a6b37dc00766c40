import { keepPreviousData, queryOptions } from '@tanstack/react-query'
import { getJson } from '../../api/client'
import { LineageGraph } from '../../contract/lineage'

export type LineageRequest = { from: string; depth: number; direction: 'up' | 'down' | 'both'; expand: readonly string[] }

export const lineageQueries = {
  all: () => ['lineage'] as const,
  /** Every input of the walk is in the key: another depth, direction or opened group is another graph. */
  graph: (request: LineageRequest) =>
    queryOptions({
      queryKey: [...lineageQueries.all(), 'graph', request] as const,
      queryFn: async ({ signal }) => {
        const graph = await getJson('/api/v1/lineage', {
          query: { from: request.from, depth: request.depth, direction: request.direction, expand: request.expand.join(',') },
          schema: LineageGraph,
          signal,
        })
        // For the rendering bench: when an answer was parsed (observed, then cleared so marks do not pile up).
        performance.mark('lineage:data')
        performance.clearMarks('lineage:data')
        return graph
      },
      // Opening a group asks for a new graph; keep drawing the old one until it arrives.
      placeholderData: keepPreviousData,
    }),
}
