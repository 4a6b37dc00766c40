import { useQuery } from '@tanstack/react-query'
import { memo, useDeferredValue, useMemo } from 'react'
import { useSearchParams, type SearchParamsState } from '../../../lib/search-params'
import { Link } from '../../../components/ui/app-link'
import { describeError } from '../../../api/api-error'
import type { BuildDetail } from '../../../contract/builds'
import type { BuildId } from '../../../contract/common'
import { ErrorState } from '../../../components/ui/error-state'
import { FilterNotices } from '../../../components/ui/filter-notices'
import { RelativeTime } from '../../../components/ui/relative-time'
import { Spinner } from '../../../components/ui/spinner'
import { StatusBadge } from '../../../components/ui/status-badge'
import { ArtifactLink, BuildIdLink, CommitLink } from '../../../components/ui/entity-links'
import { paths } from '../../../lib/paths'
import { droppedValue } from '../../../lib/url-filters'
import { parseCompareSearch } from '../compare-loader'
import { compareQueries } from '../compare-queries'
import { diffBuilds, type Change, type DiffSection } from '../lib/build-diff'
import { BuildPicker } from './build-picker'

export function ComparePage() {
  const [searchParams, setSearchParams] = useSearchParams()
  const search = useMemo(() => parseCompareSearch(searchParams), [searchParams])
  return (
    <section className="page compare-page" aria-labelledby="compare-heading">
      <title>Compare builds · Provenance</title>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to={paths.builds()}>Builds</Link>
        <span aria-hidden="true"> / </span>
        <span aria-current="page">Compare</span>
      </nav>
      <header className="page-header">
        <h1 id="compare-heading">Compare builds</h1>
        <p className="page-lede">Two builds side by side: what changed in who built them, with what inputs, tools and network access, and what came out.</p>
      </header>
      <FilterNotices notices={(['a', 'b'] as const).flatMap((side) => droppedValue(searchParams, side, search[side], (value) => `${value} is not a build id: a build id is 64 hexadecimal characters. Choose build ${side.toUpperCase()} below.`))} />
      {search.a !== undefined && search.b !== undefined ? (
        <Comparison a={search.a} b={search.b} showAll={search.all === '1'} onShowAll={(all) => {
          const next = new URLSearchParams(searchParams)
          if (all) next.set('all', '1')
          else next.delete('all')
          setSearchParams(next, { replace: true })
        }} />
      ) : (
        <PickBuilds a={search.a} b={search.b} searchParams={searchParams} setSearchParams={setSearchParams} />
      )}
    </section>
  )
}

/**
 * Both sides chosen by search, each choice kept in the URL so a half-made comparison can be shared or reloaded. The
 * page's search parameters are handed down, so the choice just made is the one the page shows too.
 */
function PickBuilds({ a, b, searchParams, setSearchParams }: { a: BuildId | undefined; b: BuildId | undefined } & SearchParamsState) {
  const pick = (side: 'a' | 'b', id: BuildId | undefined) => {
    const next = new URLSearchParams(searchParams)
    if (id === undefined) next.delete(side)
    else next.set(side, id)
    setSearchParams(next)
  }
  return (
    <div className="compare-heads" role="group" aria-label="Choose two builds">
      <BuildPicker label="Build A (older)" chosen={a} onPick={(id) => pick('a', id)} />
      <BuildPicker label="Build B (newer)" chosen={b} onPick={(id) => pick('b', id)} />
    </div>
  )
}

function Comparison({ a, b, showAll, onShowAll }: { a: BuildId; b: BuildId; showAll: boolean; onShowAll: (all: boolean) => void }) {
  // The box is ticked at once; the rows it adds or removes (dozens of them) follow at low priority.
  const showAllRows = useDeferredValue(showAll)
  const left = useQuery(compareQueries.build(a))
  const right = useQuery(compareQueries.build(b))
  const sections = useMemo(() => (left.data && right.data ? diffBuilds(left.data, right.data) : null), [left.data, right.data])

  for (const [label, query] of [['A', left], ['B', right]] as const) {
    if (query.isError) {
      return (
        <ErrorState
          title={`Could not load build ${label}`}
          {...describeError(query.error)}
          onRetry={() => void query.refetch()}
          retrying={query.isFetching}
        />
      )
    }
  }
  if (!left.data || !right.data || !sections) return <Spinner label="Loading both builds…" />

  const total = sections.reduce((sum, item) => sum + item.changes, 0)
  const changed = sections.filter((item) => item.changes > 0)
  return (
    <>
      <div className="compare-heads">
        <BuildHead label="A" build={left.data} />
        <BuildHead label="B" build={right.data} />
      </div>
      <section className="card" aria-labelledby="diff-summary-heading">
        <div className="card-header">
          <h2 id="diff-summary-heading">
            {total === 0 ? 'No differences' : `${total} ${total === 1 ? 'difference' : 'differences'}`}
          </h2>
          <label className="toggle">
            <input type="checkbox" checked={showAll} onChange={(event) => onShowAll(event.target.checked)} /> Show unchanged rows
          </label>
        </div>
        {changed.length > 0 ? (
          <ul className="diff-summary">
            {changed.map((item) => (
              <li key={item.id}>
                <a href={`#diff-${item.id}`}>{item.title}</a>: {item.changes} changed
              </li>
            ))}
          </ul>
        ) : (
          <p className="muted">Both builds record the same builder, inputs, tools, hosts and outputs.</p>
        )}
      </section>
      {sections.map((item) => (
        <DiffTable key={item.id} section={item} showAll={showAllRows} />
      ))}
    </>
  )
}

/** Memoised: ticking "Show unchanged rows" draws the page again at once, and both heads (with every artifact) stay as they are. */
const BuildHead = memo(function BuildHead({ label, build }: { label: 'A' | 'B'; build: BuildDetail }) {
  return (
    <section className="card compare-head" aria-label={`Build ${label}`}>
      <p className="compare-label">Build {label}</p>
      <p>
        <Link to={paths.build(build.id)}>{build.project}</Link> {build.sourceCommit ? <CommitLink commit={build.sourceCommit} /> : null}
      </p>
      <p className="muted">
        <BuildIdLink id={build.id} label={`Build ${label} id`} /> · <RelativeTime iso={build.time} />
      </p>
      {build.subjects.length > 0 ? (
        <ul className="subject-list" aria-label={`Artifacts of build ${label}`}>
          {build.subjects.map((subject, index) => (
            <li key={`${subject.name}-${index}`}>
              <ArtifactLink name={subject.name} digest={subject.digest} />
            </li>
          ))}
        </ul>
      ) : null}
      <StatusBadge status={build.status} failedCheck={build.failedCheck} />
    </section>
  )
})

const changeLabels: Record<Change, string> = { same: 'Same', changed: 'Changed', added: 'Only in B', removed: 'Only in A' }

const DiffTable = memo(function DiffTable({ section, showAll }: { section: DiffSection; showAll: boolean }) {
  const rows = showAll ? section.rows : section.rows.filter((row) => row.change !== 'same')
  const headingId = `diff-${section.id}-heading`
  return (
    <section className="card" aria-labelledby={headingId} id={`diff-${section.id}`}>
      <div className="card-header">
        <h2 id={headingId}>
          {section.title}{' '}
          <span className={section.changes > 0 ? 'diff-count diff-count-changed' : 'diff-count'}>
            {section.recorded ? (section.changes === 0 ? 'no change' : `${section.changes} changed`) : 'not recorded'}
          </span>
        </h2>
      </div>
      {!section.recorded ? (
        <p className="muted">Neither build has CI telemetry, so this cannot be compared.</p>
      ) : rows.length === 0 ? (
        <p className="muted">{section.rows.length === 0 ? 'Neither build records any.' : `All ${section.rows.length} the same.`}</p>
      ) : (
        <div className="table-wrap">
          <table className="data-table diff-table" aria-labelledby={headingId}>
            <thead>
              <tr>
                <th scope="col">Field</th>
                <th scope="col">Build A</th>
                <th scope="col">Build B</th>
                <th scope="col">Change</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.key} className={`diff-${row.change}`}>
                  <th scope="row" className="cell-wrap">
                    <code className="mono">{row.key}</code>
                  </th>
                  <td className="cell-wrap">{row.a === null ? <span className="muted">absent</span> : <span className="untrusted-text">{row.a}</span>}</td>
                  <td className="cell-wrap">{row.b === null ? <span className="muted">absent</span> : <span className="untrusted-text">{row.b}</span>}</td>
                  <td>
                    <span className={row.change === 'same' ? 'muted' : 'diff-badge'}>{changeLabels[row.change]}</span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  )
})
