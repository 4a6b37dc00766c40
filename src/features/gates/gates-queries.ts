import { queryOptions } from '@tanstack/react-query'
import { getJson } from '../../api/client'
import { GateDecisionPage } from '../../contract/gate'

export const gateQueries = {
  all: () => ['gate-decisions'] as const,
  /** The newest recorded gate decisions about one artifact (`sha256:<hex>`). */
  forArtifact: (digest: string, limit = 20) =>
    queryOptions({
      queryKey: [...gateQueries.all(), 'artifact', digest, limit] as const,
      queryFn: ({ signal }) => getJson('/api/v1/gate/decisions', { query: { digest, limit }, schema: GateDecisionPage, signal }),
      // A pipeline may ask the gate at any time.
      staleTime: 30_000,
    }),
}
