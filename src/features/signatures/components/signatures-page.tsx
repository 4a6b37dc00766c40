import { keepPreviousData, useInfiniteQuery, useQuery } from '@tanstack/react-query'
import { memo, useCallback, useDeferredValue, useId, useMemo, useState } from 'react'
import { useSearchParams } from '../../../lib/search-params'
import { Link } from '../../../components/ui/app-link'
import { describeError } from '../../../api/api-error'
import { projectQueries } from '../../../api/project-queries'
import { verificationStatuses, type VerificationStatus } from '../../../contract/common'
import type { StatusCounts } from '../../../contract/signatures'
import { EmptyState } from '../../../components/ui/empty-state'
import { DateRangeFields } from '../../../components/ui/date-range-fields'
import { ErrorState } from '../../../components/ui/error-state'
import { FilterNotices } from '../../../components/ui/filter-notices'
import { ProjectSelect } from '../../../components/ui/project-select'
import { Spinner } from '../../../components/ui/spinner'
import { statusDescriptions, statusLabel } from '../../../components/ui/status-badge'
import { StatusSelect } from '../../../components/ui/status-select'
import { paths } from '../../../lib/paths'
import {
  hasSignatureFilters,
  noSignatureFilters,
  parseSignaturesSearch,
  toSignatureFilter,
  toSignatureSearchParams,
  unknownSignatureFilters,
  type SignatureListFilter,
  type SignaturesSearch,
} from '../lib/signatures-search'
import { signatureQueries } from '../signatures-queries'
import { SignaturesTable } from './signatures-table'
import { formatCount } from '../../../lib/format'
import { ResultCount } from '../../../components/ui/result-count'

export function SignaturesPage() {
  const [searchParams, setSearchParams] = useSearchParams()
  const search = useMemo(() => parseSignaturesSearch(searchParams), [searchParams])
  // The filters show a change at once; the results (counts, table) follow at low priority.
  const results = useDeferredValue(search)
  const resultsFilter = useMemo(() => toSignatureFilter(results), [results])
  const projects = useQuery(projectQueries.names())
  const notices = unknownSignatureFilters(searchParams, search, projects.data)
  // Push: each applied filter is a history entry, so Back undoes it (dates apply only when whole, the signer on
  // Enter or leaving its field, so no keystroke makes an entry of its own).
  const setSearch = useCallback((next: SignaturesSearch) => setSearchParams(toSignatureSearchParams(next)), [setSearchParams])

  return (
    <section className="page" aria-labelledby="signatures-heading">
      <title>Signatures · Provenance</title>
      <header className="page-header">
        <h1 id="signatures-heading">Signatures</h1>
        <p className="page-lede">
          Every verification result, newest signed first: who signed what and when, and for each failure the check that failed. The dates filter
          the signing or build time, else the ingest time.
        </p>
      </header>
      {/* Keyed by the URL's signer so a link to another signer resets the text box. */}
      <SignatureFilters key={search.signer ?? ''} search={search} onChange={setSearch} />
      <FilterNotices notices={notices} />
      <SignatureResults filter={resultsFilter} search={results} onChange={setSearch} />
    </section>
  )
}

function SignatureFilters({ search, onChange }: { search: SignaturesSearch; onChange: (next: SignaturesSearch) => void }) {
  const id = useId()
  const projects = useQuery(projectQueries.names())
  const [signer, setSigner] = useState(search.signer ?? '')
  const set = <K extends keyof SignaturesSearch>(key: K, value: SignaturesSearch[K] | '') => onChange({ ...search, [key]: value === '' ? undefined : value })
  const commitSigner = () => {
    if (signer.trim() !== (search.signer ?? '')) set('signer', signer.trim())
  }

  return (
    <form
      className="filters"
      role="search"
      aria-label="Filter signatures"
      onSubmit={(event) => {
        event.preventDefault()
        commitSigner()
      }}
    >
      <div className="field">
        <label htmlFor={`${id}-status`}>Status</label>
        <StatusSelect id={`${id}-status`} value={search.status} onChange={(status) => set('status', status ?? '')} />
      </div>
      <ProjectSelect id={`${id}-project`} value={search.project} onChange={(project) => set('project', project ?? '')} projects={projects} />
      <div className="field">
        <label htmlFor={`${id}-signer`}>Signer identity</label>
        <input
          id={`${id}-signer`}
          value={signer}
          spellCheck={false}
          autoComplete="off"
          placeholder="key id or certificate identity"
          onChange={(event) => setSigner(event.target.value)}
          // Enter applies it here: with date fields in the form, a browser submits it on Enter only with a submit button.
          onKeyDown={(event) => {
            if (event.key === 'Enter') {
              event.preventDefault()
              commitSigner()
            }
          }}
          onBlur={commitSigner}
        />
      </div>
      <DateRangeFields id={id} value={{ from: search.from, to: search.to }} onChange={(range) => onChange({ ...search, ...range })} />
    </form>
  )
}

function StatusCountsBar({ counts, search }: { counts: StatusCounts; search: SignaturesSearch }) {
  const total = verificationStatuses.reduce((sum, status) => sum + counts[status], 0)
  return (
    <nav className="status-counts" aria-label="Counts by status">
      <ul>
        <li>
          <Link
            to={paths.signatures(toRecord({ ...search, status: undefined }))}
            aria-current={search.status === undefined ? 'true' : undefined}
          >
            All <strong>{formatCount(total)}</strong>
          </Link>
        </li>
        {verificationStatuses.map((status: VerificationStatus) => (
          <li key={status}>
            <Link
              to={paths.signatures(toRecord({ ...search, status }))}
              aria-current={search.status === status ? 'true' : undefined}
              className={`status-count status-count-${status}`}
              title={statusDescriptions[status]}
            >
              {statusLabel(status)} <strong>{formatCount(counts[status])}</strong>
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  )
}

function toRecord(search: SignaturesSearch): Record<string, string> {
  return Object.fromEntries(toSignatureSearchParams(search))
}

const SignatureResults = memo(function SignatureResults({ filter, search, onChange }: { filter: SignatureListFilter; search: SignaturesSearch; onChange: (next: SignaturesSearch) => void }) {
  const query = useInfiniteQuery({ ...signatureQueries.list(filter), placeholderData: keepPreviousData })
  const { data, hasNextPage, isFetchingNextPage, isFetchNextPageError, fetchNextPage } = query
  const rows = useMemo(() => data?.pages.flatMap((page) => page.items) ?? [], [data])
  const counts = data?.pages[0]?.counts
  const loadMore = useCallback(() => {
    if (hasNextPage && !isFetchingNextPage && !isFetchNextPageError) void fetchNextPage()
  }, [hasNextPage, isFetchingNextPage, isFetchNextPageError, fetchNextPage])

  if (query.isPending) return <Spinner label="Loading signatures…" />
  if (query.isError && rows.length === 0) {
    const { message, hint } = describeError(query.error)
    return <ErrorState title="Could not load signatures" message={message} hint={hint} onRetry={() => void query.refetch()} retrying={query.isFetching} />
  }
  const filtered = hasSignatureFilters(search)
  return (
    <div className="results">
      {counts ? <StatusCountsBar counts={counts} search={search} /> : null}
      {rows.length === 0 ? (
        filtered ? (
          <EmptyState
            title="No signatures match these filters"
            action={
              <button type="button" className="button" onClick={() => onChange(noSignatureFilters)}>
                Clear filters
              </button>
            }
          >
            Widen the dates or pick another status, project or signer.
          </EmptyState>
        ) : (
          <EmptyState title="No signatures recorded yet">
            Verification results appear here once signed documents are sent to <code>POST /api/v1/attestations</code>.
          </EmptyState>
        )
      ) : (
        <>
          <ResultCount onClearFilters={filtered ? () => onChange(noSignatureFilters) : undefined}>
            {query.isPlaceholderData ? 'Updating… ' : ''}
            Showing {formatCount(rows.length)} {rows.length === 1 ? 'result' : 'results'}
            {hasNextPage ? '; more are available' : ''}.
          </ResultCount>
          <SignaturesTable rows={rows} onNearEnd={loadMore} stale={query.isPlaceholderData} />
          <div className="results-footer">
            {isFetchNextPageError ? (
              <ErrorState title="Could not load more signatures" message={describeError(query.error).message} onRetry={() => void fetchNextPage()} retrying={isFetchingNextPage} />
            ) : hasNextPage ? (
              <button type="button" className="button" onClick={loadMore} disabled={isFetchingNextPage}>
                {isFetchingNextPage ? 'Loading more…' : 'Load more signatures'}
              </button>
            ) : (
              <p className="muted">That is every result{filtered ? ' matching these filters' : ''}.</p>
            )}
          </div>
        </>
      )}
    </div>
  )
})
