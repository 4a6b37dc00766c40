import { keepPreviousData, useInfiniteQuery, useQuery } from '@tanstack/react-query'
import { memo, useCallback, useDeferredValue, useMemo } from 'react'
import { useSearchParams } from '../../../lib/search-params'
import { describeError } from '../../../api/api-error'
import { EmptyState } from '../../../components/ui/empty-state'
import { ErrorState } from '../../../components/ui/error-state'
import { FilterNotices } from '../../../components/ui/filter-notices'
import { ResultCount } from '../../../components/ui/result-count'
import { Spinner } from '../../../components/ui/spinner'
import { projectQueries } from '../../../api/project-queries'
import { buildQueries } from '../builds-queries'
import {
  hasFilters,
  noBuildFilters,
  parseBuildsSearch,
  toBuildListFilter,
  toSearchParams,
  unknownBuildFilters,
  type BuildListFilter,
  type BuildsSearch,
} from '../lib/builds-search'
import { BuildsFilters } from './builds-filters'
import { BuildsTable } from './builds-table'
import { formatCount } from '../../../lib/format'

export function BuildsPage() {
  const [searchParams, setSearchParams] = useSearchParams()
  const search = useMemo(() => parseBuildsSearch(searchParams), [searchParams])
  const projects = useQuery(projectQueries.names())
  const notices = unknownBuildFilters(searchParams, search, projects.data)

  const setSearch = useCallback(
    (next: BuildsSearch) => {
      // Push: each applied filter is a history entry, so Back undoes it. The date fields apply only whole dates
      // and the commit field only on Enter or leaving it, so no keystroke makes an entry of its own.
      setSearchParams(toSearchParams(next))
    },
    [setSearchParams],
  )

  const clearFilters = useCallback(() => setSearch(noBuildFilters), [setSearch])
  // The filters show a change at once; the results follow at low priority.
  const results = useDeferredValue(search)
  const resultsFilter = useMemo(() => toBuildListFilter(results), [results])

  return (
    <section className="page" aria-labelledby="builds-heading">
      <title>Builds · Provenance</title>
      <header className="page-header">
        <h1 id="builds-heading">Builds</h1>
        <p className="page-lede">Every build whose provenance was ingested, newest first, with what verifying its signature found.</p>
      </header>
      <BuildsFilters search={search} onChange={setSearch} />
      <FilterNotices notices={notices} />
      <BuildsResults filter={resultsFilter} filtered={hasFilters(results)} onClearFilters={clearFilters} />
    </section>
  )
}

type BuildsResultsProps = { filter: BuildListFilter; filtered: boolean; onClearFilters: () => void }

const BuildsResults = memo(function BuildsResults({ filter, filtered, onClearFilters }: BuildsResultsProps) {
  const query = useInfiniteQuery({ ...buildQueries.list(filter), placeholderData: keepPreviousData })
  const { data, hasNextPage, isFetchingNextPage, isFetchNextPageError, fetchNextPage } = query
  const rows = useMemo(() => data?.pages.flatMap((page) => page.items) ?? [], [data])

  const loadMore = useCallback(() => {
    if (hasNextPage && !isFetchingNextPage && !isFetchNextPageError) void fetchNextPage()
  }, [hasNextPage, isFetchingNextPage, isFetchNextPageError, fetchNextPage])

  if (query.isPending) return <Spinner label="Loading builds…" />

  if (query.isError && rows.length === 0) {
    const { message, hint } = describeError(query.error)
    return (
      <ErrorState
        title="Could not load builds"
        message={message}
        hint={hint}
        onRetry={() => void query.refetch()}
        retrying={query.isFetching}
      />
    )
  }

  if (rows.length === 0) {
    return filtered ? (
      <EmptyState
        title="No builds match these filters"
        action={
          <button type="button" className="button" onClick={onClearFilters}>
            Clear filters
          </button>
        }
      >
        Widen the dates or pick another project or status.
      </EmptyState>
    ) : (
      <EmptyState title="No builds recorded yet">
        Builds appear here once their signed provenance is sent to <code>POST /api/v1/attestations</code>.
      </EmptyState>
    )
  }

  const refetchFailed = query.isRefetchError && !isFetchNextPageError
  return (
    <div className="results">
      {refetchFailed ? (
        <ErrorState
          title="Could not refresh builds"
          message={describeError(query.error).message}
          hint="The rows below may be out of date."
          onRetry={() => void query.refetch()}
          retrying={query.isFetching}
        />
      ) : null}
      <ResultCount onClearFilters={filtered ? onClearFilters : undefined}>
        {query.isPlaceholderData ? 'Updating… ' : ''}
        Showing {formatCount(rows.length)} {rows.length === 1 ? 'build' : 'builds'}
        {hasNextPage ? '; more are available' : ''}.
      </ResultCount>
      <BuildsTable rows={rows} onNearEnd={loadMore} stale={query.isPlaceholderData} />
      <div className="results-footer">
        {isFetchNextPageError ? (
          <ErrorState
            title="Could not load more builds"
            message={describeError(query.error).message}
            onRetry={() => void fetchNextPage()}
            retrying={isFetchingNextPage}
          />
        ) : hasNextPage ? (
          <button type="button" className="button" onClick={loadMore} disabled={isFetchingNextPage}>
            {isFetchingNextPage ? 'Loading more…' : 'Load more builds'}
          </button>
        ) : (
          <p className="muted">That is every build{filtered ? ' matching these filters' : ''}.</p>
        )}
      </div>
    </div>
  )
})
