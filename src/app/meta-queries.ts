import { queryOptions } from '@tanstack/react-query'

export const metaQueries = {
  server: () =>
    queryOptions({
      queryKey: ['meta'] as const,
      queryFn: async ({ signal }) => {
        // Imported on demand so that zod and the contract load with the first route, not with the shell:
        // the shell's chunk has to stay inside the first-load budget (PERFORMANCE.md).
        const [{ getJson }, { ServerMeta }] = await Promise.all([import('../api/client'), import('../contract/meta')])
        return getJson('/api/v1/meta', { schema: ServerMeta, signal })
      },
      staleTime: 10 * 60_000, // version and auth mode change only when the server restarts
    }),
}
