import type { QueryClient } from '@tanstack/react-query'
import { UNSAFE_createBrowserHistory as createBrowserHistory } from 'react-router'
import { AppLayout } from './layout/app-layout'
import { createNavigator, type AppHistory, type AppNavigator } from './navigation'
import { AppProviders, createQueryClient } from './providers'
import { RootError } from './root-error'
import { RouteError } from './route-error'
import { AppRouter, ErrorBoundary } from './router'
import { routes } from './routes'

export type AppInstance = { queryClient: QueryClient; navigator: AppNavigator }

/**
 * Creates the query cache and the navigator. Call it only once the API is reachable (in dev: once the mock worker
 * runs), because the navigator starts the first screen's code and loader at once. Tests pass a memory history.
 */
export function createApp(history: AppHistory = createBrowserHistory({ v5Compat: true }), queryClient: QueryClient = createQueryClient()): AppInstance {
  return { queryClient, navigator: createNavigator(history, routes, queryClient) }
}

const layout = <AppLayout />
const rootError = (error: unknown) => <RootError error={error} />
const routeError = (error: unknown) => <RouteError error={error} />

export function App({ app }: { app: AppInstance }) {
  return (
    <AppProviders queryClient={app.queryClient}>
      <ErrorBoundary resetKey={null} fallback={rootError}>
        <AppRouter navigator={app.navigator} layout={layout} routeError={routeError} />
      </ErrorBoundary>
    </AppProviders>
  )
}
