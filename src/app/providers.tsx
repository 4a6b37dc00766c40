import { QueryClient, QueryClientProvider, type DefaultOptions } from '@tanstack/react-query'
import type { ReactNode } from 'react'
import { isApiError } from '../api/api-error'

/** Retry only what may heal by itself: no answer at all, or a 5xx. A 4xx will say the same thing again. */
function shouldRetry(failureCount: number, error: unknown): boolean {
  if (!isApiError(error)) return false
  return (error.status === 0 || error.status >= 500) && failureCount < 1
}

export function createQueryClient(queries: DefaultOptions['queries'] = {}): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 30_000,
        retry: shouldRetry,
        refetchOnWindowFocus: false,
        ...queries,
      },
    },
  })
}

export function AppProviders({ queryClient, children }: { queryClient: QueryClient; children: ReactNode }) {
  return <QueryClientProvider client={queryClient}>{children}</QueryClientProvider>
}
