import type { SearchResult } from '../../contract/search'
import { formatAbsolute } from '../../lib/format'
import { RelativeTime } from './relative-time'

/** A search result's line of context, its time ("newest built 3 days ago") read as every other screen reads times. */
export function SearchResultDetail({ result }: { result: Pick<SearchResult, 'detail' | 'when'> }) {
  return (
    <span className="muted search-detail">
      <span className="untrusted-text">{result.detail}</span>
      {result.when ? (
        <>
          {' · '}
          {result.when.what} <RelativeTime iso={result.when.at} />
        </>
      ) : null}
    </span>
  )
}

/** The same line as plain text, for a label: the time exact, in UTC. */
export const searchResultDetailText = (result: Pick<SearchResult, 'detail' | 'when'>): string =>
  result.when ? `${result.detail}, ${result.when.what} ${formatAbsolute(result.when.at)}` : result.detail
