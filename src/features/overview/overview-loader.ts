import type { QueryClient } from '@tanstack/react-query'
import type { Loader } from '../../lib/route-loader'
import { utcDay } from './lib/overview-figures'
import { overviewQueries } from './overview-queries'

export function overviewLoader(queryClient: QueryClient): Loader {
  return () => {
    void queryClient.query(overviewQueries.forDay(utcDay(Date.now()))).catch(() => undefined)
    return null
  }
}
