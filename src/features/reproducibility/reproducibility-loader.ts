import type { QueryClient } from '@tanstack/react-query'
import type { Loader } from '../../lib/route-loader'
import { parseReproducibilitySearch, rangeBounds } from './lib/reproducibility-search'
import { reproducibilityQueries } from './reproducibility-queries'

/**
 * The chart's code (recharts, its own chunk): the loader starts it while the data downloads, and the page waits for
 * the same import. One import for both, so the list of what it needs is written into one file, not two.
 */
export const loadHistoryChart = () => import('./components/history-chart')

export function reproducibilityLoader(queryClient: QueryClient): Loader {
  return ({ searchParams }) => {
    const search = parseReproducibilitySearch(searchParams)
    // The chart's code downloads while the data does, instead of after the page's code.
    void loadHistoryChart().catch(() => undefined)
    void queryClient.query(reproducibilityQueries.summary()).catch(() => undefined)
    if (search.project !== undefined) {
      const { from, to } = rangeBounds(search.range, Date.now())
      void queryClient.query(reproducibilityQueries.history(search.project, from, to)).catch(() => undefined)
      void queryClient.query(reproducibilityQueries.matrix(search.project)).catch(() => undefined)
    }
    return null
  }
}
