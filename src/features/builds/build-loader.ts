import type { QueryClient } from '@tanstack/react-query'
import { BuildId } from '../../contract/common'
import { RouteProblem, type Loader } from '../../lib/route-loader'
import { buildQueries } from './builds-queries'

/** Waits for the build: the page has nothing to show without it, and a malformed or unknown id is a 404. */
export function buildLoader(queryClient: QueryClient): Loader {
  return async ({ params }) => {
    const id = BuildId.safeParse(params.id)
    if (!id.success) throw new RouteProblem('That address does not name a build: a build id is 64 lower-case hex characters.', 404, 'Not a build id')
    await queryClient.query(buildQueries.detail(id.data))
    return null
  }
}
