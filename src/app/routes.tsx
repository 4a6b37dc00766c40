import type { QueryClient } from '@tanstack/react-query'
import type { RouteObject } from 'react-router'
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
            {
              // The first screen: where to look first (Builds is at /builds).
              index: true,
              lazy: async () => {
                const { OverviewPage, overviewLoader } = await import('../features/overview/components/overview-page')
                return { Component: OverviewPage, loader: overviewLoader(queryClient) }
              },
            },
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
              path: 'builds/compare',
              lazy: async () => {
                const { ComparePage, compareLoader } = await import('../features/compare/components/compare-page')
                return { Component: ComparePage, loader: compareLoader(queryClient) }
              },
            },
            {
              path: 'artifacts',
              lazy: async () => ({ Component: (await import('../features/artifacts/components/artifacts-page')).ArtifactsPage }),
            },
            {
              path: 'artifacts/:digest',
              lazy: async () => {
                const [{ ArtifactPage, artifactLoader }, { GateDecisionsSection }] = await Promise.all([
                  import('../features/artifacts/components/artifact-page'),
                  import('../features/gates/components/gate-decisions-section'),
                ])
                const gateDecisions = (digest: string) => <GateDecisionsSection digest={digest} />
                return { Component: () => <ArtifactPage gateDecisions={gateDecisions} />, loader: artifactLoader(queryClient) }
              },
            },
            {
              path: 'signatures',
              lazy: async () => {
                const { SignaturesPage, signaturesLoader } = await import('../features/signatures/components/signatures-page')
                return { Component: SignaturesPage, loader: signaturesLoader(queryClient) }
              },
            },
            {
              path: 'reproducibility',
              lazy: async () => {
                // The chart's chunk (recharts) is the largest; fetch it alongside the page's instead of after it.
                void import('../features/reproducibility/components/history-chart').catch(() => undefined)
                const { ReproducibilityPage, reproducibilityLoader } = await import('../features/reproducibility/components/reproducibility-page')
                return { Component: ReproducibilityPage, loader: reproducibilityLoader(queryClient) }
              },
            },
            {
              path: 'search',
              lazy: async () => {
                const { SearchPage, searchLoader } = await import('../features/search/components/search-page')
                return { Component: SearchPage, loader: searchLoader(queryClient) }
              },
            },
            {
              path: 'sources',
              lazy: async () => ({ Component: (await import('../features/sources/components/sources-page')).SourcesPage }),
            },
            {
              // The graph's code (canvas renderer, layout worker) loads with this route only.
              path: 'lineage',
              lazy: async () => ({ Component: (await import('../features/lineage/components/lineage-page')).LineagePage }),
            },
            {
              path: 'log',
              lazy: async () => ({ Component: (await import('../features/log/components/log-page')).LogPage }),
            },
            {
              path: 'alerts',
              lazy: async () => {
                const { AlertsPage, alertsLoader } = await import('../features/alerts/components/alerts-page')
                return { Component: AlertsPage, loader: alertsLoader(queryClient) }
              },
            },
            {
              path: 'alerts/:id',
              lazy: async () => {
                const { AlertPage, alertLoader } = await import('../features/alerts/components/alert-page')
                return { Component: AlertPage, loader: alertLoader(queryClient) }
              },
            },
            {
              path: 'reports',
              lazy: async () => ({ Component: (await import('../features/reports/components/reports-page')).ReportsPage }),
            },
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
