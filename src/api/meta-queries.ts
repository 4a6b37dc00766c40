import { queryOptions } from '@tanstack/react-query'
import { getJson } from './client'

export const metaQueries = {
  server: () =>
    queryOptions({
      queryKey: ['meta'] as const,
      queryFn: async ({ signal }) => {
        // The API client is in the chunk the shell loads with zod (vite.config.ts: `contract`), the server meta's
        // schema in one of its own, imported on demand so that screens that do not read it never load it.
        const { ServerMeta } = await import('../contract/meta')
        return getJson('/api/v1/meta', { schema: ServerMeta, signal })
      },
      staleTime: 10 * 60_000, // version and auth mode change only when the server restarts
    }),
}
