import type { QueryClient } from '@tanstack/react-query'
import type { Loader } from '../../lib/route-loader'
import { overviewDay } from '../../contract/overview'
import { utcDay } from './lib/overview-figures'
import { overviewQueries } from './overview-queries'

export function overviewLoader(queryClient: QueryClient): Loader {
  return ({ searchParams }) => {
    void queryClient.query(overviewQueries.forDay(overviewDay(searchParams, utcDay(Date.now())))).catch(() => undefined)
    return null
  }
}
