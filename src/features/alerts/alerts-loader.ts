import type { QueryClient } from '@tanstack/react-query'
import type { Loader } from '../../lib/route-loader'
import { alertQueries } from './alerts-queries'
import { parseAlertsSearch, toAlertFilter } from './lib/alerts-search'

export function alertsLoader(queryClient: QueryClient): Loader {
  return ({ searchParams }) => {
    void queryClient.query(alertQueries.list(toAlertFilter(parseAlertsSearch(searchParams)))).catch(() => undefined)
    return null
  }
}
