import { useQuery } from '@tanstack/react-query'
import { useRef, type KeyboardEvent } from 'react'
import { useSearchParams } from '../../../lib/search-params'
import { Link } from '../../../components/ui/app-link'
import { describeError } from '../../../api/api-error'
import { normaliseQuery, type SearchResponse, type SearchResult } from '../../../contract/search'
import { EmptyState } from '../../../components/ui/empty-state'
import { ErrorState } from '../../../components/ui/error-state'
import { SearchResultDetail } from '../../../components/ui/search-result-detail'
import { Spinner } from '../../../components/ui/spinner'
import { targetHref } from '../lib/search-target'
import { searchQueries } from '../search-queries'

const interpretations: Record<SearchResponse['interpretedAs'], string> = {
  digest: 'a digest (or a prefix of one)',
  commit: 'a commit (or the start of one)',
  'build-id': 'a build id (or the start of one)',
  // Every one of these matches by how it starts (an index seek each); a word inside a name finds nothing.
  text: 'text: artifact names, projects, package URLs and signer identities that start with it',
}

const kindLabels: Record<SearchResult['kind'], string> = {
  artifact: 'Artifact',
  build: 'Build',
  commit: 'Commit',
  project: 'Project',
  signer: 'Signer',
  package: 'Package',
}

export function SearchPage() {
  const [searchParams] = useSearchParams()
  const q = normaliseQuery(searchParams.get('q'))
  return (
    <section className="page" aria-labelledby="search-heading">
      <title>{`${q ? `${q} · ` : ''}Search · Provenance`}</title>
      <header className="page-header">
        <h1 id="search-heading">Search</h1>
        <p className="page-lede">
          Paste a digest (<code>sha256:…</code>, hex, or a prefix of at least 12 characters), a commit or build id (whole, or its first 7 characters as the
          tables show them), an artifact name, a project, a package URL or a signer identity into the box at the top. Press <kbd>/</kbd> to get there.
        </p>
      </header>
      {q === null ? (
        <EmptyState title="Nothing to search for yet">Type into the search box at the top of the page and press Enter.</EmptyState>
      ) : (
        <Results q={q} />
      )}
    </section>
  )
}

function Results({ q }: { q: string }) {
  const search = useQuery(searchQueries.results(q))
  const listRef = useRef<HTMLUListElement>(null)

  // Up and down move between results, as in any result list; Tab works too.
  function onKeyDown(event: KeyboardEvent<HTMLUListElement>) {
    if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return
    const links = [...(listRef.current?.querySelectorAll('a') ?? [])]
    const index = links.findIndex((link) => link === document.activeElement)
    const next = links[event.key === 'ArrowDown' ? Math.min(links.length - 1, index + 1) : Math.max(0, index - 1)]
    if (next) {
      event.preventDefault()
      next.focus()
    }
  }

  if (search.isPending) return <Spinner label={`Searching for ${q}…`} />
  if (search.isError) {
    return (
      <ErrorState title={`Could not search for “${q}”`} {...describeError(search.error)} onRetry={() => void search.refetch()} retrying={search.isFetching} />
    )
  }
  const { results, interpretedAs } = search.data
  return (
    <section className="card" aria-labelledby="results-heading">
      <div className="card-header">
        <h2 id="results-heading">
          {results.length === 0 ? 'No matches' : `${results.length} ${results.length === 1 ? 'match' : 'matches'}`} for <q className="untrusted-text">{q}</q>
        </h2>
      </div>
      <p className="section-note">Read as {interpretations[interpretedAs]}.</p>
      {results.length === 0 ? (
        <p className="muted">
          Nothing this server stores matches. A digest prefix needs at least 12 hex characters, a commit or build id at least 7; names, projects, package URLs
          and identities match by how they start.
        </p>
      ) : (
        // eslint-disable-next-line jsx-a11y/no-noninteractive-element-interactions -- arrow keys only move focus between the links inside
        <ul className="search-results" ref={listRef} onKeyDown={onKeyDown} aria-label="Search results">
          {results.map((result, index) => (
            <li key={`${result.kind}-${index}`}>
              <Link to={targetHref(result.target)}>
                <span className="search-kind">{kindLabels[result.kind]}</span> <span className="untrusted-text">{result.title}</span>
              </Link>
              <SearchResultDetail result={result} />
            </li>
          ))}
        </ul>
      )}
    </section>
  )
}
