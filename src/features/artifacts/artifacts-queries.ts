import { infiniteQueryOptions, queryOptions } from '@tanstack/react-query'
import { getJson } from '../../api/client'
import { ArtifactDetail, ArtifactPage } from '../../contract/artifacts'
import { OwnBuild } from '../../contract/meta'

/** The artifacts list's filters, as its URL gives them. */
export type ArtifactListFilter = { project?: string; name?: string }

/** Artifacts per request: as many as builds, for the same reason (src/features/builds/lib/builds-search.ts). */
export const ARTIFACTS_PAGE_SIZE = 25

export const artifactQueries = {
  all: () => ['artifacts'] as const,
  /** Recent artifacts, newest build first, a page at a time; every filter is in the key. */
  list: (filter: ArtifactListFilter) =>
    infiniteQueryOptions({
      queryKey: [...artifactQueries.all(), 'list', filter] as const,
      queryFn: ({ pageParam, signal }) => getJson('/api/v1/artifacts', { query: { ...filter, limit: ARTIFACTS_PAGE_SIZE, cursor: pageParam ?? undefined }, schema: ArtifactPage, signal }),
      initialPageParam: null as string | null,
      getNextPageParam: (lastPage) => lastPage.nextCursor,
    }),
  /** `digest` as validated by the route (`algorithm:hex` or hex); its characters need no escaping in a path. */
  detail: (digest: string) =>
    queryOptions({
      queryKey: [...artifactQueries.all(), 'detail', digest] as const,
      queryFn: ({ signal }) => getJson(`/api/v1/artifacts/${digest}`, { schema: ArtifactDetail, signal }),
      // New attestations and rebuilds can arrive for an artifact at any time.
      staleTime: 60_000,
    }),
  /** The running server's files against its own build's provenance: compared once, when the server started. */
  ownBuild: () =>
    queryOptions({
      queryKey: ['own-build'] as const,
      queryFn: ({ signal }) => getJson('/api/v1/own-build', { schema: OwnBuild, signal }),
      staleTime: Number.POSITIVE_INFINITY,
    }),
}
