import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query'
import { createElement, memo, useCallback, useDeferredValue, useEffect, useId, useLayoutEffect, useMemo, useRef, useState, type ComponentType } from 'react'
import { useNavigate } from 'react-router'
import { useSearchParams, type SearchParamsState } from '../../../lib/search-params'
import { Link } from '../../../components/ui/app-link'
import { describeError } from '../../../api/api-error'
import type { ReproducibilityHistory, ReproducibilityProject } from '../../../contract/reproducibility'
import { EmptyState } from '../../../components/ui/empty-state'
import { ErrorState } from '../../../components/ui/error-state'
import { NotRecorded } from '../../../components/ui/not-recorded'
import { RelativeTime } from '../../../components/ui/relative-time'
import { Spinner } from '../../../components/ui/spinner'
import { formatAbsolute, formatCount, formatDay, stripScheme } from '../../../lib/format'
import { paths } from '../../../lib/paths'
import { bucketName, historySummary, toSeries, type SeriesPoint } from '../lib/history-series'
import { findMismatch } from '../lib/mismatch-lookup'
import { parseReproducibilitySearch, rangeBounds, rangeLabels, ranges, type RangeDays } from '../lib/reproducibility-search'
import { loadHistoryChart } from '../reproducibility-loader'
import { reproducibilityQueries } from '../reproducibility-queries'
import type { HistoryChartProps } from './history-chart'
import { MatrixSection } from './matrix-table'

type ChartComponent = ComponentType<HistoryChartProps>

/**
 * recharts is the app's heaviest dependency: it loads in its own chunk, in parallel with the data (see the loader
 * and the route). Not `React.lazy` + Suspense: React 19 holds a revealed Suspense boundary back for up to 300 ms
 * after its fallback showed, which would be most of the chart's time budget.
 */
let loadedChart: ChartComponent | null = null

/** The chart once its code is there; until then, a spinner. The component is the module's own, so stable. */
function ChartSlot(props: HistoryChartProps) {
  const [chart, setChart] = useState(() => loadedChart)
  useEffect(() => {
    if (chart !== null) return
    let live = true
    loadHistoryChart().then(
      (module) => {
        loadedChart = module.HistoryChart
        if (live) setChart(() => module.HistoryChart)
      },
      () => undefined,
    )
    return () => {
      live = false
    }
  }, [chart])
  return chart === null ? <Spinner label="Loading the chart…" /> : createElement(chart, props)
}

export function ReproducibilityPage() {
  const [searchParams, setSearchParams] = useSearchParams()
  const search = useMemo(() => parseReproducibilitySearch(searchParams), [searchParams])
  const summary = useQuery(reproducibilityQueries.summary())
  // Without a project in the URL, the first one is shown; the URL gains it as soon as the reader picks one.
  const selected = search.project ?? summary.data?.items[0]?.project
  // The projects' links carry the range; they follow a range picked below at low priority, with the history.
  const linkRange = useDeferredValue(search.range)

  return (
    <section className="page" aria-labelledby="reproducibility-heading">
      <title>{`${selected ? `${selected} · ` : ''}Reproducibility · Provenance`}</title>
      <header className="page-header">
        <h1 id="reproducibility-heading">Reproducibility</h1>
        <p className="page-lede">Whether independent rebuilders get the same bytes as the published artifacts, per project and over time.</p>
      </header>
      {summary.isPending ? (
        <Spinner label="Loading reproducibility…" />
      ) : summary.isError ? (
        <ErrorState title="Could not load the reproducibility summary" {...describeError(summary.error)} onRetry={() => void summary.refetch()} retrying={summary.isFetching} />
      ) : summary.data.items.length === 0 ? (
        <EmptyState title="No rebuilds recorded yet">
          Verdicts appear here once rebuilders send their rebuild attestations or diffoscope reports to <code>POST /api/v1/attestations</code>.
        </EmptyState>
      ) : (
        <>
          <ProjectsTable items={summary.data.items} selected={selected ?? null} range={linkRange} />
          {selected ? (
            <ProjectDetail
              key={selected}
              project={selected}
              range={search.range}
              summary={summary.data.items.find((item) => item.project === selected) ?? null}
              searchParams={searchParams}
              setSearchParams={setSearchParams}
            />
          ) : null}
        </>
      )}
    </section>
  )
}

function percent(matched: number, total: number): string {
  return total === 0 ? '—' : `${Math.floor((matched / total) * 100)}%`
}

const ProjectsTable = memo(function ProjectsTable({ items, selected, range }: { items: readonly ReproducibilityProject[]; selected: string | null; range: RangeDays }) {
  return (
    <section className="card" aria-labelledby="projects-heading">
      <div className="card-header">
        <h2 id="projects-heading">Projects</h2>
      </div>
      <div className="table-wrap">
        <table className="data-table" aria-label="Reproducibility by project">
          <thead>
            <tr>
              <th scope="col">Project</th>
              <th scope="col">Rebuilds</th>
              <th scope="col">Matched</th>
              <th scope="col">Current streak</th>
              <th scope="col">Last mismatch</th>
              <th scope="col">Last rebuild</th>
            </tr>
          </thead>
          <tbody>
            {items.map((item) => (
              <tr key={item.project} className={item.project === selected ? 'is-selected' : undefined}>
                <th scope="row">
                  <Link to={paths.reproducibility({ project: item.project, range })} aria-current={item.project === selected ? 'true' : undefined} replace>
                    {item.project}
                  </Link>
                </th>
                <td>{formatCount(item.rebuilds)}</td>
                <td>
                  {percent(item.matched, item.rebuilds)} <span className="muted">({formatCount(item.mismatched)} mismatched)</span>
                </td>
                <td>{item.currentStreak ? <Streak streak={item.currentStreak} /> : <NotRecorded compact />}</td>
                <td>{item.lastMismatch ? <RelativeTime iso={item.lastMismatch.time} /> : <span className="muted">none</span>}</td>
                <td>{item.lastRebuildAt ? <RelativeTime iso={item.lastRebuildAt} /> : <NotRecorded compact />}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  )
})

function Streak({ streak }: { streak: { verdict: 'match' | 'mismatch'; length: number } }) {
  return (
    <span className={streak.verdict === 'match' ? 'result result-ok' : 'result result-fail'}>
      {formatCount(streak.length)} {streak.verdict === 'match' ? (streak.length === 1 ? 'match' : 'matches') : streak.length === 1 ? 'mismatch' : 'mismatches'} in a row
    </span>
  )
}

function ProjectDetail({ project, range, summary, searchParams, setSearchParams }: { project: string; range: RangeDays; summary: ReproducibilityProject | null } & SearchParamsState) {
  const id = useId()
  // The range picked is shown at once; the history (a request, then the chart drawn again) follows at low priority.
  const historyRange = useDeferredValue(range)
  const lastMismatch = summary?.lastMismatch ?? null
  return (
    <section className="card" aria-labelledby={`${id}-heading`}>
      <div className="card-header">
        <h2 id={`${id}-heading`}>{project}</h2>
        <fieldset className="range-picker">
          <legend className="visually-hidden">History range</legend>
          {ranges.map((value) => (
            <label key={value} className={value === range ? 'range-option is-active' : 'range-option'}>
              <input
                type="radio"
                name={`${id}-range`}
                value={value}
                checked={value === range}
                onChange={() => {
                  const next = new URLSearchParams(searchParams)
                  next.set('project', project)
                  next.set('range', value)
                  setSearchParams(next, { replace: true })
                }}
              />
              {rangeLabels[value]}
            </label>
          ))}
        </fieldset>
      </div>
      <dl className="facts facts-compact">
        <div className="fact">
          <dt>Current streak</dt>
          <dd>{summary?.currentStreak ? <Streak streak={summary.currentStreak} /> : <NotRecorded />}</dd>
        </div>
        <div className="fact">
          <dt>Last mismatch</dt>
          <dd>
            {lastMismatch ? (
              <>
                <Link to={paths.artifact(`sha256:${lastMismatch.artifact.digest.sha256 ?? ''}`, { rebuild: lastMismatch.id })}>
                  {lastMismatch.artifact.name ?? 'artifact'}
                </Link>{' '}
                by {stripScheme(lastMismatch.rebuilderId ?? 'an unknown rebuilder')}, <RelativeTime iso={lastMismatch.time} />
              </>
            ) : (
              <span className="muted">No mismatch recorded</span>
            )}
          </dd>
        </div>
      </dl>
      <HistoryFigure project={project} range={historyRange} lastMismatch={lastMismatch} />
      <MatrixSection project={project} />
    </section>
  )
}

const HistoryFigure = memo(function HistoryFigure({ project, range, lastMismatch }: { project: string; range: RangeDays; lastMismatch: ReproducibilityProject['lastMismatch'] }) {
  const id = useId()
  // "Now" is fixed when the chart mounts; the bounds are whole days, so the key does not change under the reader.
  const [now] = useState(() => Date.now())
  const { from, to } = rangeBounds(range, now)
  // Another range keeps the chart of the last one up (dimmed) until its data is here, then updates it in place:
  // taking the chart down and building it anew cost the click itself 25 ms and a long task later (4x slowed CPU).
  const history = useQuery({ ...reproducibilityQueries.history(project, from, to), placeholderData: keepPreviousData })
  // The range of the data on screen: while another range's loads, the last one's, so the caption stays true.
  const [shownRange, setShownRange] = useState(range)
  if (history.isSuccess && !history.isPlaceholderData && shownRange !== range) setShownRange(range)
  const queryClient = useQueryClient()
  const navigate = useNavigate()
  const [notice, setNotice] = useState<string | null>(null)
  const [showTable, setShowTable] = useState(false)
  const series = useMemo(() => (history.data ? toSeries(history.data) : null), [history.data])
  // New data is drawn into the chart at low priority. TanStack Query delivers it through useSyncExternalStore, which
  // React renders at once, in one task: the caption and the periods below follow at once, the chart in slices after.
  // Its first drawing takes the points as they come (there is no earlier drawing to keep up meanwhile).
  const deferredPoints = useDeferredValue(series?.points)

  async function openMismatch(point: SeriesPoint) {
    setNotice('Looking for a mismatching rebuild in that period…')
    const recent = queryClient.getQueryData(reproducibilityQueries.matrix(project).queryKey)
    let target = findMismatch(recent, lastMismatch, point.start, point.end)
    if (target === null) {
      try {
        target = findMismatch(await queryClient.fetchQuery(reproducibilityQueries.matrix(project, 200)), lastMismatch, point.start, point.end)
      } catch (error) {
        setNotice(`Could not look up the rebuilds of that period: ${describeError(error).message}`)
        return
      }
    }
    if (target === null) {
      setNotice('None of the 200 most recently rebuilt artifacts has a mismatch from that period as its latest verdict.')
      return
    }
    setNotice(null)
    void navigate(paths.artifact(target.digest, { rebuild: target.rebuildId }))
  }

  // One handler for the chart's life, calling the latest openMismatch: a new one each render would draw the chart again.
  const latestOpen = useRef(openMismatch)
  useLayoutEffect(() => {
    latestOpen.current = openMismatch
  })
  const onMismatchClick = useCallback((point: SeriesPoint) => void latestOpen.current(point), [])

  if (history.isPending) return <Spinner label={`Loading the history of ${project}…`} />
  if (history.isError) {
    return <ErrorState title={`Could not load the history of ${project}`} {...describeError(history.error)} onRetry={() => void history.refetch()} retrying={history.isFetching} />
  }
  const data: ReproducibilityHistory = history.data
  const points = series?.points ?? []
  const summary = historySummary(data, Number(shownRange))
  const mismatchPeriods = points.filter((point) => point.mismatched > 0).slice(-8).reverse()
  const empty = data.matched + data.mismatched === 0

  return (
    <figure className={history.isPlaceholderData ? 'history-figure is-updating' : 'history-figure'} aria-labelledby={`${id}-caption`} aria-busy={history.isPlaceholderData}>
      <figcaption id={`${id}-caption`}>
        <strong>{summary}</strong>{' '}
        <span className="muted">
          Rebuilds of {project} per {bucketName(series?.bucketDays ?? 1)}, matched and mismatched, with the share matched as a line.
        </span>
      </figcaption>
      {empty ? (
        <p className="muted">Nothing to chart: no rebuild of {project} finished between {formatAbsolute(data.from)} and {formatAbsolute(data.to)}.</p>
      ) : (
        <>
          <div role="img" aria-label={`Chart: ${summary}`}>
            <ChartSlot points={deferredPoints ?? points} onMismatchClick={onMismatchClick} />
          </div>
          <ul className="chart-legend" aria-hidden="true">
            <li className="legend-matched">Matched</li>
            <li className="legend-mismatched">Mismatched (click a red bar to open one)</li>
            <li className="legend-rate">Pass rate</li>
          </ul>
          <p className="visually-hidden" aria-live="polite">
            {notice ?? ''}
          </p>
          {notice ? (
            <p className="notice" aria-hidden="true">
              {notice}
            </p>
          ) : null}
          {mismatchPeriods.length > 0 ? (
            <div className="mismatch-periods">
              <h3>Recent periods with mismatches</h3>
              <ul>
                {mismatchPeriods.map((point) => (
                  <li key={point.start}>
                    <button type="button" className="button button-small" onClick={() => void openMismatch(point)}>
                      {periodLabel(point)}: {point.mismatched} mismatched of {point.matched + point.mismatched}
                    </button>
                  </li>
                ))}
              </ul>
            </div>
          ) : null}
          <details className="chart-data" onToggle={(event) => setShowTable(event.currentTarget.open)}>
            <summary>The chart’s data as a table</summary>
            {showTable ? <HistoryTable points={points} project={project} /> : null}
          </details>
        </>
      )}
    </figure>
  )
})

function periodLabel(point: SeriesPoint): string {
  const days = Math.round((point.end - point.start) / 86_400_000)
  return days <= 1 ? formatDay(point.start, 'date') : `${formatDay(point.start, 'date')} – ${formatDay(point.end - 86_400_000, 'date')}`
}

function HistoryTable({ points, project }: { points: readonly SeriesPoint[]; project: string }) {
  return (
    <div className="table-wrap">
      <table className="data-table" aria-label={`Rebuild verdicts of ${project} per period`}>
        <thead>
          <tr>
            <th scope="col">Period</th>
            <th scope="col">Matched</th>
            <th scope="col">Mismatched</th>
            <th scope="col">Pass rate</th>
          </tr>
        </thead>
        <tbody>
          {points.map((point) => (
            <tr key={point.start}>
              <th scope="row">{periodLabel(point)}</th>
              <td>{point.matched}</td>
              <td>{point.mismatched}</td>
              <td>{point.passRate === null ? '—' : `${point.passRate}%`}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
