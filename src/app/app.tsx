import type { QueryClient } from '@tanstack/react-query'
import { RouterProvider } from 'react-router/dom'
import { AppProviders, createQueryClient } from './providers'
import { createAppRouter } from './router'

export type AppInstance = { queryClient: QueryClient; router: ReturnType<typeof createAppRouter> }

/**
 * Creates the query cache and the router. Call it only once the API is reachable (in dev: once the mock worker
 * runs), because creating a browser router starts the first route's loaders at once.
 */
export function createApp(): AppInstance {
  const queryClient = createQueryClient()
  return { queryClient, router: createAppRouter(queryClient) }
}

export function App({ app }: { app: AppInstance }) {
  return (
    <AppProviders queryClient={app.queryClient}>
      <RouterProvider router={app.router} />
    </AppProviders>
  )
}
