import { queryOptions } from '@tanstack/react-query'
import { getJson } from '../../api/client'
import { ArtifactDetail } from '../../contract/artifacts'

export const artifactQueries = {
  all: () => ['artifacts'] as const,
  /** `digest` as validated by the route (`algorithm:hex` or hex); its characters need no escaping in a path. */
  detail: (digest: string) =>
    queryOptions({
      queryKey: [...artifactQueries.all(), 'detail', digest] as const,
      queryFn: ({ signal }) => getJson(`/api/v1/artifacts/${digest}`, { schema: ArtifactDetail, signal }),
      // New attestations and rebuilds can arrive for an artifact at any time.
      staleTime: 60_000,
    }),
}
