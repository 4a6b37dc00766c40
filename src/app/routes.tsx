import type { QueryClient } from '@tanstack/react-query'
import { redirect, type RouteObject } from 'react-router'
import { paths } from '../lib/paths'
import { AppLoading } from './layout/app-loading'
import { RootError } from './root-error'

/**
 * The app's routes. Every page is a lazy chunk, and so is the layout: the first paint waits for a page chunk
 * anyway, so the layout loads beside it instead of inside the entry chunk, which holds only React, the router
 * and TanStack Query (PERFORMANCE.md: first-load JS within 110 kB gzip). Loaders get the QueryClient so they can
 * start (or await) the same queries the pages read.
 */
export function createRoutes(queryClient: QueryClient): RouteObject[] {
  return [
    {
      path: '/',
      HydrateFallback: AppLoading,
      ErrorBoundary: RootError,
      lazy: {
        Component: async () => (await import('./layout/app-layout')).AppLayout,
      },
      children: [
        {
          // Pathless: errors below render inside the shell, so navigation stays usable. The boundary's code loads
          // with the first page rather than with the shell, which has to stay within the first-load budget.
          lazy: {
            ErrorBoundary: async () => (await import('./route-error')).RouteError,
          },
          children: [
            { index: true, loader: () => redirect(paths.builds()) },
            {
              path: 'builds',
              lazy: async () => {
                const { BuildsPage, buildsLoader } = await import('../features/builds/components/builds-page')
                return { Component: BuildsPage, loader: buildsLoader(queryClient) }
              },
            },
            {
              path: 'builds/:id',
              lazy: async () => {
                const { BuildPage, buildLoader } = await import('../features/builds/components/build-page')
                return { Component: BuildPage, loader: buildLoader(queryClient) }
              },
            },
            {
              path: 'log',
              lazy: async () => ({ Component: (await import('../features/log/components/log-page')).LogPage }),
            },
            ...(['artifacts', 'lineage', 'reproducibility', 'signatures', 'alerts', 'reports'] as const).map(
              (section): RouteObject => ({
                path: section,
                lazy: async () => {
                  const { plannedPage } = await import('./pages/planned-page')
                  return { Component: plannedPage(section) }
                },
              }),
            ),
            {
              path: '*',
              lazy: async () => {
                const { NotFoundPage } = await import('./pages/not-found-page')
                return { Component: NotFoundPage }
              },
            },
          ],
        },
      ],
    },
  ]
}
