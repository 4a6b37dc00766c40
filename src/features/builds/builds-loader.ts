import type { QueryClient } from '@tanstack/react-query'
import { projectQueries } from '../../api/project-queries'
import type { Loader } from '../../lib/route-loader'
import { buildQueries } from './builds-queries'
import { parseBuildsSearch, toBuildListFilter } from './lib/builds-search'

/**
 * Starts the list's requests as soon as the route matches, in parallel with the page's code. It does not wait for
 * them: the page shows its own loading, empty and error states, so the filters stay usable when the list fails.
 */
export function buildsLoader(queryClient: QueryClient): Loader {
  return ({ searchParams }) => {
    const search = parseBuildsSearch(searchParams)
    void queryClient.infiniteQuery(buildQueries.list(toBuildListFilter(search))).catch(() => undefined)
    void queryClient.query(projectQueries.list()).catch(() => undefined)
    return null
  }
}
