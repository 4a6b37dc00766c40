import type { QueryClient } from '@tanstack/react-query'
import { normaliseQuery, type SearchResponse } from '../../contract/search'
import { Redirect, type Loader } from '../../lib/route-loader'
import { targetHref } from './lib/search-target'
import { searchQueries } from './search-queries'

/**
 * Runs the search before the page shows: a single match goes straight to its page (the search URL is replaced,
 * so Back returns to where the search started). Failures are shown by the page, with a retry.
 */
export function searchLoader(queryClient: QueryClient): Loader {
  return async ({ searchParams }) => {
    const q = normaliseQuery(searchParams.get('q'))
    if (q === null) return null
    let response: SearchResponse
    try {
      response = await queryClient.fetchQuery(searchQueries.results(q))
    } catch {
      return null
    }
    const [only, ...rest] = response.results
    return only && rest.length === 0 ? new Redirect(targetHref(only.target)) : null
  }
}
