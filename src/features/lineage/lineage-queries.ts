import { keepPreviousData, queryOptions, type QueryClient } from '@tanstack/react-query'
import { getJsonBytes } from '../../api/client'
import { readLineageAnswer } from './lib/answer-client'

export type LineageRequest = { from: string; depth: number; direction: 'up' | 'down' | 'both'; expand: readonly string[] }

export const lineageQueries = {
  all: () => ['lineage'] as const,
  /** Every input of the walk is in the key: another depth, direction or opened group is another graph. */
  graph: (request: LineageRequest) =>
    queryOptions({
      queryKey: [...lineageQueries.all(), 'graph', request] as const,
      queryFn: async ({ signal }) => {
        const query = { from: request.from, depth: request.depth, direction: request.direction, expand: request.expand.join(',') }
        const answer = await getJsonBytes('/api/v1/lineage', { query, signal })
        // For the rendering bench: when the answer's last byte arrived (marks are observed, then cleared so they do not pile up).
        performance.mark('lineage:answer')
        performance.clearMarks('lineage:answer')
        // Parsed and checked in a worker; a refresh that changed only states comes back as the last graph patched.
        const graph = await readLineageAnswer(JSON.stringify(query), answer.bytes, { status: answer.status, endpoint: '/api/v1/lineage' })
        // When the page has the answer's graph (parsed, checked and, for a refresh, diffed with the last one).
        performance.mark('lineage:data')
        performance.clearMarks('lineage:data')
        return graph
      },
      // Opening a group asks for a new graph; keep drawing the old one until it arrives.
      placeholderData: keepPreviousData,
    }),
  /**
   * The neighbourhoods opened beyond the depth (one step both ways from each key), as one query: each is its own
   * `graph` query, fetched through the cache, so opening one more fetches only that one. One that fails is left
   * out, and the graph is drawn without it. No structural sharing, as for the graph itself (see the page).
   */
  neighbourhoods: (client: QueryClient, keys: readonly string[]) =>
    queryOptions({
      queryKey: [...lineageQueries.all(), 'neighbourhoods', keys] as const,
      queryFn: async () => {
        const graphs = await Promise.all(
          keys.map((key) =>
            client.fetchQuery({ ...lineageQueries.graph({ from: key, depth: 1, direction: 'both', expand: [] }), structuralSharing: false }).catch(() => null),
          ),
        )
        return graphs.filter((graph) => graph !== null)
      },
      enabled: keys.length > 0,
      structuralSharing: false,
      placeholderData: keepPreviousData,
    }),
}
