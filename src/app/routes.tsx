import type { ScreenRoute } from './navigation'

/**
 * The app's screens. Each page is a lazy chunk, and so is its loader (`<screen>-loader.ts`, small: the queries it
 * starts): a navigation imports both at once, so the data is on its way while the page's code downloads. The
 * layout and the route error boundary are in the entry chunk, which every first visit loads anyway
 * (PERFORMANCE.md: first-load JS within 110 kB gzip). Absolute paths; the first route that matches wins, so a
 * specific pattern comes before a general one that also matches it (routes.test.ts checks it), and `*` comes last.
 */
export const routes: readonly ScreenRoute[] = [
  {
    // The first screen: where to look first (Builds is at /builds).
    path: '/',
    page: async () => (await import('../features/overview/components/overview-page')).OverviewPage,
    loader: async () => (await import('../features/overview/overview-loader')).overviewLoader,
  },
  {
    path: '/builds',
    page: async () => (await import('../features/builds/components/builds-page')).BuildsPage,
    loader: async () => (await import('../features/builds/builds-loader')).buildsLoader,
  },
  {
    // Before '/builds/:id', which would also match it.
    path: '/builds/compare',
    page: async () => (await import('../features/compare/components/compare-page')).ComparePage,
    loader: async () => (await import('../features/compare/compare-loader')).compareLoader,
  },
  {
    path: '/builds/:id',
    page: async () => (await import('../features/builds/components/build-page')).BuildPage,
    loader: async () => (await import('../features/builds/build-loader')).buildLoader,
  },
  {
    path: '/artifacts',
    page: async () => (await import('../features/artifacts/components/artifacts-page')).ArtifactsPage,
  },
  {
    path: '/artifacts/:digest',
    page: async () => {
      const [{ ArtifactPage }, { GateDecisionsSection }] = await Promise.all([
        import('../features/artifacts/components/artifact-page'),
        import('../features/gates/components/gate-decisions-section'),
      ])
      const gateDecisions = (digest: string) => <GateDecisionsSection digest={digest} />
      return function ArtifactScreen() {
        return <ArtifactPage gateDecisions={gateDecisions} />
      }
    },
    loader: async () => (await import('../features/artifacts/artifact-loader')).artifactLoader,
  },
  {
    path: '/signatures',
    page: async () => (await import('../features/signatures/components/signatures-page')).SignaturesPage,
    loader: async () => (await import('../features/signatures/signatures-loader')).signaturesLoader,
  },
  {
    // The loader also starts the chart's chunk (recharts, the largest), beside the page's.
    path: '/reproducibility',
    page: async () => (await import('../features/reproducibility/components/reproducibility-page')).ReproducibilityPage,
    loader: async () => (await import('../features/reproducibility/reproducibility-loader')).reproducibilityLoader,
  },
  {
    path: '/search',
    page: async () => (await import('../features/search/components/search-page')).SearchPage,
    loader: async () => (await import('../features/search/search-loader')).searchLoader,
  },
  {
    path: '/sources',
    page: async () => (await import('../features/sources/components/sources-page')).SourcesPage,
  },
  {
    // The graph's code (canvas renderer, layout worker) loads with this route only.
    path: '/lineage',
    page: async () => (await import('../features/lineage/components/lineage-page')).LineagePage,
  },
  {
    path: '/log',
    page: async () => (await import('../features/log/components/log-page')).LogPage,
  },
  {
    path: '/alerts',
    page: async () => (await import('../features/alerts/components/alerts-page')).AlertsPage,
    loader: async () => (await import('../features/alerts/alerts-loader')).alertsLoader,
  },
  {
    path: '/alerts/:id',
    page: async () => (await import('../features/alerts/components/alert-page')).AlertPage,
    loader: async () => (await import('../features/alerts/alert-loader')).alertLoader,
  },
  {
    path: '/reports',
    page: async () => (await import('../features/reports/components/reports-page')).ReportsPage,
  },
  {
    path: '*',
    page: async () => (await import('./pages/not-found-page')).NotFoundPage,
  },
]
