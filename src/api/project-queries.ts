import { queryOptions } from '@tanstack/react-query'
import { ProjectList } from '../contract/projects'
import { getJson } from './client'

/** The project list, shared by every screen that filters by project (builds, signatures, reproducibility). */
export const projectQueries = {
  all: () => ['projects'] as const,
  list: () =>
    queryOptions({
      queryKey: [...projectQueries.all(), 'list'] as const,
      queryFn: ({ signal }) => getJson('/api/v1/projects', { schema: ProjectList, signal }),
      staleTime: 5 * 60_000, // projects appear rarely; the filter can wait a few minutes to learn of a new one
    }),
  /** Just the names, for the project filter; the same cache entry as `list`, so a loader's prefetch serves it. */
  names: () =>
    queryOptions({
      ...projectQueries.list(),
      select: (list: ProjectList): readonly string[] => list.items.map((project) => project.name),
    }),
}
