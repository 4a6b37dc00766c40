import type { QueryClient } from '@tanstack/react-query'
import type { Loader } from '../../lib/route-loader'
import { alertQueries } from './alerts-queries'

export function alertLoader(queryClient: QueryClient): Loader {
  return ({ params }) => {
    if (params.id) void queryClient.query(alertQueries.detail(params.id)).catch(() => undefined)
    return null
  }
}
