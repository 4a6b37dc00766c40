import { useQuery } from '@tanstack/react-query'
import { useId, useState, type FormEvent } from 'react'
import { describeError } from '../../../api/api-error'
import type { BuildId } from '../../../contract/common'
import type { SearchResult } from '../../../contract/search'
import { BuildIdLink, CommitLink } from '../../../components/ui/entity-links'
import { ErrorState } from '../../../components/ui/error-state'
import { RelativeTime } from '../../../components/ui/relative-time'
import { SearchResultDetail, searchResultDetailText } from '../../../components/ui/search-result-detail'
import { Spinner } from '../../../components/ui/spinner'
import { StatusBadge } from '../../../components/ui/status-badge'
import { compareQueries } from '../compare-queries'
import './compare.css'

type BuildResult = SearchResult & { target: { type: 'build'; id: BuildId } }
const isBuild = (result: SearchResult): result is BuildResult => result.target.type === 'build'

/**
 * One side of a comparison, chosen by searching for a commit (as the tables show it, 7+ characters) or a build id
 * prefix rather than by pasting a 64-character id. The choice goes into the URL by `onPick`.
 */
export function BuildPicker({ label, chosen, onPick }: { label: string; chosen: BuildId | undefined; onPick: (id: BuildId | undefined) => void }) {
  const id = useId()
  const [text, setText] = useState('')
  const [q, setQ] = useState<string | null>(null)

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    const trimmed = text.trim()
    setQ(trimmed === '' ? null : trimmed)
  }

  if (chosen !== undefined) return <ChosenBuild label={label} id={chosen} onChange={() => onPick(undefined)} />
  return (
    <section className="card build-picker" aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>{label}</h2>
      <form role="search" onSubmit={submit} aria-label={`Find ${label}`}>
        <div className="field">
          <label htmlFor={`${id}-q`}>Commit or build id of {label}</label>
          <input
            id={`${id}-q`}
            className="mono"
            value={text}
            onChange={(event) => setText(event.target.value)}
            placeholder="e.g. 3f2a9c1"
            spellCheck={false}
            autoComplete="off"
          />
        </div>
        <button type="submit" className="button">
          Find
        </button>
      </form>
      {q === null ? (
        <p className="muted">Type a commit as the Builds table shows it (7 characters or more), or the start of a build id.</p>
      ) : (
        <Candidates label={label} q={q} onPick={onPick} />
      )}
    </section>
  )
}

function Candidates({ label, q, onPick }: { label: string; q: string; onPick: (id: BuildId) => void }) {
  const search = useQuery(compareQueries.search(q))
  if (search.isPending) return <Spinner label={`Searching for ${q}…`} />
  if (search.isError)
    return (
      <ErrorState title={`Could not search for “${q}”`} {...describeError(search.error)} onRetry={() => void search.refetch()} retrying={search.isFetching} />
    )
  const builds = search.data.results.filter(isBuild)
  if (builds.length === 0) {
    return (
      <p className="muted" role="status">
        No build has a commit or id starting with <q className="untrusted-text">{q}</q>. A commit needs at least 7 hex characters.
      </p>
    )
  }
  return (
    <ul className="search-results" aria-label={`Builds found for ${label}`}>
      {builds.map((result) => (
        <li key={result.target.id}>
          <button
            type="button"
            className="button button-small"
            onClick={() => onPick(result.target.id)}
            aria-label={`Use ${result.title}, ${searchResultDetailText(result)}, as ${label}`}
          >
            Use
          </button>{' '}
          <span className="untrusted-text">{result.title}</span> <SearchResultDetail result={result} />
        </li>
      ))}
    </ul>
  )
}

function ChosenBuild({ label, id, onChange }: { label: string; id: BuildId; onChange: () => void }) {
  const build = useQuery(compareQueries.build(id))
  return (
    <section className="card build-picker" aria-label={label}>
      <h2>{label}</h2>
      {build.isPending ? (
        <Spinner label="Loading the build…" />
      ) : build.isError ? (
        <ErrorState title={`Could not load ${label}`} {...describeError(build.error)} onRetry={() => void build.refetch()} retrying={build.isFetching} />
      ) : (
        <p>
          {build.data.project} <BuildIdLink id={build.data.id} /> {build.data.sourceCommit ? <CommitLink commit={build.data.sourceCommit} /> : null}{' '}
          <RelativeTime iso={build.data.time} /> <StatusBadge status={build.data.status} failedCheck={build.data.failedCheck} />
        </p>
      )}
      <button type="button" className="button" onClick={onChange}>
        Choose another for {label}
      </button>
    </section>
  )
}
