import type { QueryClient } from '@tanstack/react-query'
import { AlertId } from '../../contract/alerts'
import { RouteProblem, type Loader } from '../../lib/route-loader'
import { alertQueries } from './alerts-queries'

/**
 * Starts fetching the alert (the page shows a spinner meanwhile). A malformed id names no alert however often it
 * is asked for: a 404 page that says so, not the API's error with a Retry.
 */
export function alertLoader(queryClient: QueryClient): Loader {
  return ({ params }) => {
    const id = AlertId.safeParse({ id: params.id })
    if (!id.success) throw new RouteProblem('That address does not name an alert: an alert id is 24 lower-case hex characters.', 404, 'Not an alert id')
    void queryClient.query(alertQueries.detail(id.data.id)).catch(() => undefined)
    return null
  }
}
