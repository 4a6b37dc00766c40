import { keepPreviousData, useInfiniteQuery, useQuery } from '@tanstack/react-query'
import { Fragment, memo, useCallback, useDeferredValue, useId, useMemo, useState, type FormEvent } from 'react'
import { useNavigate } from 'react-router'
import { useSearchParams } from '../../../lib/search-params'
import { Link } from '../../../components/ui/app-link'
import { z } from 'zod'
import { describeError } from '../../../api/api-error'
import { projectQueries } from '../../../api/project-queries'
import { DigestParam, type ArtifactListItem } from '../../../contract/artifacts'
import { ARTIFACTS_PER_BUILD, artifactsListedPerBuild } from '../../../../domain/artifact-list'
import { EmptyState } from '../../../components/ui/empty-state'
import { BuildIdLink } from '../../../components/ui/entity-links'
import { Digest } from '../../../components/ui/digest'
import { ErrorState } from '../../../components/ui/error-state'
import { ProjectSelect } from '../../../components/ui/project-select'
import { RelativeTime } from '../../../components/ui/relative-time'
import { Spinner } from '../../../components/ui/spinner'
import { StatusBadge } from '../../../components/ui/status-badge'
import { paths } from '../../../lib/paths'
import { artifactQueries, type ArtifactListFilter } from '../artifacts-queries'
import { formatCount, shortHex } from '../../../lib/format'
import { ResultCount } from '../../../components/ui/result-count'

/** The list's filters in the URL: bounded text, blank as absent, so any link or reload shows the same list. */
const ArtifactsSearch = z.object({
  project: z.string().trim().max(512).optional().catch(undefined),
  name: z.string().trim().max(512).optional().catch(undefined),
})

function filterFrom(params: URLSearchParams): ArtifactListFilter {
  const parsed = ArtifactsSearch.parse({ project: params.get('project') ?? undefined, name: params.get('name') ?? undefined })
  return { ...(parsed.project ? { project: parsed.project } : {}), ...(parsed.name ? { name: parsed.name } : {}) }
}

/** Recent artifacts with their status, by project and name; and, for a digest already in hand, a box to open it. */
export function ArtifactsPage() {
  const [searchParams, setSearchParams] = useSearchParams()
  const filter = useMemo(() => filterFrom(searchParams), [searchParams])
  const setFilter = useCallback((next: ArtifactListFilter) => setSearchParams(paths.artifacts(next).split('?')[1] ?? ''), [setSearchParams])
  const clearFilter = useCallback(() => setFilter({}), [setFilter])
  // The filters show a change at once; the list follows at low priority.
  const listed = useDeferredValue(filter)
  return (
    <section className="page" aria-labelledby="artifacts-heading">
      <title>{`${filter.name ? `${filter.name} · ` : ''}Artifacts · Provenance`}</title>
      <header className="page-header">
        <h1 id="artifacts-heading">Artifacts</h1>
        <p className="page-lede">
          What the builds produced, newest first, each with the verdict on the provenance that lists it. Open one for every attestation, signature, SBOM and
          rebuild.
        </p>
      </header>
      {/* Keyed by the URL's name, so a link or Back to another name resets the text box (a project change need not). */}
      <ArtifactFilters key={filter.name ?? ''} filter={filter} onChange={setFilter} />
      <ArtifactList filter={listed} onClear={clearFilter} />
      <OpenByDigest />
    </section>
  )
}

function ArtifactFilters({ filter, onChange }: { filter: ArtifactListFilter; onChange: (next: ArtifactListFilter) => void }) {
  const id = useId()
  const projects = useQuery(projectQueries.names())
  const [name, setName] = useState(filter.name ?? '')
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    const trimmed = name.trim()
    onChange({ ...filter, name: trimmed === '' ? undefined : trimmed })
  }
  return (
    <form className="card filters" onSubmit={submit} aria-label="Filter artifacts">
      <ProjectSelect id={`${id}-project`} value={filter.project} onChange={(project) => onChange({ ...filter, project })} projects={projects} />
      <div className="field">
        <label htmlFor={`${id}-name`}>Artifact name</label>
        <input
          id={`${id}-name`}
          value={name}
          onChange={(event) => setName(event.target.value)}
          spellCheck={false}
          autoComplete="off"
          placeholder="exact name"
        />
      </div>
      <button type="submit" className="button">
        Apply
      </button>
    </form>
  )
}

const ArtifactList = memo(function ArtifactList({ filter, onClear }: { filter: ArtifactListFilter; onClear: () => void }) {
  const query = useInfiniteQuery({ ...artifactQueries.list(filter), placeholderData: keepPreviousData })
  const rows = useMemo(() => query.data?.pages.flatMap((page) => page.items) ?? [], [query.data])
  const filtered = filter.project !== undefined || filter.name !== undefined

  if (query.isPending) return <Spinner label="Loading artifacts…" />
  if (query.isError && rows.length === 0) {
    return <ErrorState title="Could not load artifacts" {...describeError(query.error)} onRetry={() => void query.refetch()} retrying={query.isFetching} />
  }
  if (rows.length === 0) {
    return filtered ? (
      <EmptyState
        title="No artifacts match these filters"
        action={
          <button type="button" className="button" onClick={onClear}>
            Clear filters
          </button>
        }
      >
        The name must match exactly; search at the top finds names by their start.
      </EmptyState>
    ) : (
      <EmptyState title="No artifacts recorded yet">
        Artifacts appear here once provenance naming them is sent to <code>POST /api/v1/attestations</code>.
      </EmptyState>
    )
  }
  // The list the server answered: by name every match, else the first of each build (the API's default number).
  const perBuild = artifactsListedPerBuild({ ...filter, perBuild: ARTIFACTS_PER_BUILD })
  return (
    <div className="results">
      <ResultCount onClearFilters={filtered ? onClear : undefined}>
        {query.isPlaceholderData ? 'Updating… ' : ''}
        Showing {formatCount(rows.length)} {rows.length === 1 ? 'artifact' : 'artifacts'}
        {perBuild === null ? '' : `, the first ${perBuild} of each build`}
        {query.hasNextPage ? '; more are available' : ''}.
      </ResultCount>
      <ArtifactTable rows={rows} />
      <div className="results-footer">
        {query.isFetchNextPageError ? (
          <ErrorState
            title="Could not load more artifacts"
            message={describeError(query.error).message}
            onRetry={() => void query.fetchNextPage()}
            retrying={query.isFetchingNextPage}
          />
        ) : query.hasNextPage ? (
          <button type="button" className="button" onClick={() => void query.fetchNextPage()} disabled={query.isFetchingNextPage}>
            {query.isFetchingNextPage ? 'Loading more…' : 'Load more artifacts'}
          </button>
        ) : (
          <p className="muted">That is every artifact{filtered ? ' matching these filters' : ''}.</p>
        )}
      </div>
    </div>
  )
})

/** For a digest already in hand (from a registry, a log): open its page directly. */
function OpenByDigest() {
  const id = useId()
  const navigate = useNavigate()
  const [value, setValue] = useState('')
  const [error, setError] = useState<string | null>(null)

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    const digest = DigestParam.safeParse(value)
    if (!digest.success) {
      setError('A digest is `sha256:<hex>` or hex, at least 12 characters.')
      return
    }
    void navigate(paths.artifact(digest.data))
  }

  return (
    <form className="card lookup-form" onSubmit={submit} aria-label="Open an artifact">
      <div className="field">
        <label htmlFor={`${id}-digest`}>Artifact digest</label>
        <input
          id={`${id}-digest`}
          className="mono"
          value={value}
          spellCheck={false}
          autoComplete="off"
          placeholder="sha256:…"
          onChange={(event) => {
            setValue(event.target.value)
            setError(null)
          }}
          aria-invalid={error !== null}
          aria-describedby={`${id}-hint${error ? ` ${id}-error` : ''}`}
        />
        <span id={`${id}-hint`} className="muted">
          Full or a prefix of at least 12 hex characters.
        </span>
        {error ? (
          <span id={`${id}-error`} className="field-error" role="alert">
            {error}
          </span>
        ) : null}
      </div>
      <button type="submit" className="button button-primary">
        Open artifact
      </button>
    </form>
  )
}

/**
 * The table of artifacts. Another filter's rows (or a next page) are drawn at low priority, in slices between frames,
 * the rows it had staying meanwhile (as in ScrollingTable); the first rows, when the table appears, at once.
 */
function ArtifactTable({ rows }: { rows: readonly ArtifactListItem[] }) {
  const shown = useDeferredValue(rows)
  return (
    <div className="table-wrap">
      <table className="data-table fixed-columns artifacts-table" aria-label="Artifacts">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Digest</th>
            <th scope="col">Project</th>
            <th scope="col">Build</th>
            <th scope="col">Status</th>
            <th scope="col">Built</th>
          </tr>
        </thead>
        <ArtifactRows rows={shown} />
      </table>
    </div>
  )
}

/** The rows, memoised: a render for anything else (the count, "Updating…") leaves them alone. */
const ArtifactRows = memo(function ArtifactRows({ rows }: { rows: readonly ArtifactListItem[] }) {
  return (
    <tbody>
      {rows.map((row) => {
        // The list's digests are always `sha256:<hex>` (the contract says so).
        const [algorithm = 'sha256', value = ''] = row.digest.split(':')
        return (
          <Fragment key={`${row.buildId}-${row.digest}-${row.name}`}>
            <tr>
              <td className="cell-wrap">
                <Link className="untrusted-text" to={paths.artifact(row.digest)}>
                  {row.name}
                </Link>
              </td>
              <td>
                <Digest algorithm={algorithm} value={value} of={row.name} to={paths.artifact(row.digest)} />
              </td>
              <td>{row.project}</td>
              <td>
                <BuildIdLink id={row.buildId} label={`Build of ${row.name}`} />
              </td>
              <td>
                <StatusBadge status={row.status} />
              </td>
              <td className="cell-time">
                <RelativeTime iso={row.time} />
              </td>
            </tr>
            {row.moreInBuild > 0 ? (
              <tr className="more-in-build">
                <td colSpan={6}>
                  <Link to={`${paths.build(row.buildId)}#subjects`}>
                    {formatCount(row.moreInBuild)} more {row.moreInBuild === 1 ? 'artifact' : 'artifacts'} of build{' '}
                    <code className="mono">{shortHex(row.buildId)}</code>
                  </Link>
                </td>
              </tr>
            ) : null}
          </Fragment>
        )
      })}
    </tbody>
  )
})
