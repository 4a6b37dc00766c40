import { useQuery } from '@tanstack/react-query'
import { useCallback, useEffect, useId, useMemo, useRef, useState } from 'react'
import { useSearchParams } from '../../../lib/search-params'
import { Link } from '../../../components/ui/app-link'
import { describeError } from '../../../api/api-error'
import { projectQueries } from '../../../api/project-queries'
import { alertRules, alertSeverities, alertStates, occurrenceKind, ruleLabels, UNRESOLVED, unresolvedStates, type Alert, type AlertPatch } from '../../../contract/alerts'
import { EmptyState } from '../../../components/ui/empty-state'
import { ErrorState } from '../../../components/ui/error-state'
import { FilterNotices } from '../../../components/ui/filter-notices'
import { RelativeTime } from '../../../components/ui/relative-time'
import { Spinner } from '../../../components/ui/spinner'
import { shortHex } from '../../../lib/format'
import { paths } from '../../../lib/paths'
import { allowedTransitions } from '../../../../domain/alerts/triage'
import { alertQueries } from '../alerts-queries'
import { parseAlertsSearch, toAlertFilter, toAlertsSearchParams, unknownAlertFilters, type AlertsSearch } from '../lib/alerts-search'
import { groupAlerts } from '../lib/group-alerts'
import { SeverityBadge, severityLabels, StateBadge, stateLabels } from './severity-badge'
import { ShortcutsDialog } from './shortcuts-dialog'
import { TriageForm } from './triage-form'
import { TriageStatus } from './triage-token-form'
import { useTriage } from './use-triage'
import './alerts.css'

export function AlertsPage() {
  const [searchParams, setSearchParams] = useSearchParams()
  const search = useMemo(() => parseAlertsSearch(searchParams), [searchParams])
  const filter = useMemo(() => toAlertFilter(search), [search])
  const setSearch = useCallback((next: AlertsSearch) => setSearchParams(toAlertsSearchParams(next)), [setSearchParams])
  const queue = useQuery(alertQueries.list(filter))

  return (
    <section className="page" aria-labelledby="alerts-heading">
      <title>{`${search.build ? `Build ${shortHex(search.build)} · ` : ''}Alerts · Provenance`}</title>
      <header className="page-header">
        <h1 id="alerts-heading">Alerts</h1>
        <p className="page-lede">
          What the anomaly rules found in the builds: unexpected tool versions, downloads from hosts outside the allow-list, dependency drift, builder and signer changes,
          failed verifications, rebuild mismatches and duration outliers; and services deployed without verified provenance. One alert per recurring cause. <span className="alert-hint">Press <kbd>?</kbd> for the keyboard shortcuts.</span>
        </p>
      </header>
      <AlertFilters search={search} onChange={setSearch} />
      {search.build ? (
        <p className="alert-scope">
          Only the alerts that build{' '}
          <Link to={paths.build(search.build)} className="mono">
            {shortHex(search.build)}
          </Link>{' '}
          showed. <Link to={paths.alerts(toAlertsSearchParams({ ...search, build: undefined }))}>Show the alerts of every build</Link>
        </p>
      ) : null}
      <FilterNotices notices={unknownAlertFilters(searchParams, search)} />
      {queue.isPending ? (
        <Spinner label="Loading alerts" />
      ) : queue.isError ? (
        <ErrorState title="The alerts could not be loaded" {...describeError(queue.error)} onRetry={() => void queue.refetch()} retrying={queue.isFetching} />
      ) : (
        <>
          <StateCounts search={search} counts={queue.data.counts} />
          <Queue alerts={queue.data.items} truncated={queue.data.nextCursor !== null} />
        </>
      )}
    </section>
  )
}

function AlertFilters({ search, onChange }: { search: AlertsSearch; onChange: (next: AlertsSearch) => void }) {
  const id = useId()
  const projects = useQuery(projectQueries.names())
  const set = <K extends keyof AlertsSearch>(key: K, value: string) => onChange({ ...search, [key]: value === '' ? undefined : value })
  return (
    <form className="filters" role="search" aria-label="Filter alerts" onSubmit={(event) => event.preventDefault()}>
      <div className="field">
        <label htmlFor={`${id}-state`}>State</label>
        <select id={`${id}-state`} value={search.state ?? ''} onChange={(event) => set('state', event.target.value)}>
          <option value="">Open</option>
          {alertStates
            .filter((state) => state !== 'open')
            .map((state) => (
              <option key={state} value={state}>
                {stateLabels[state]}
              </option>
            ))}
          <option value={UNRESOLVED}>Not resolved</option>
          <option value="all">Every state</option>
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-rule`}>Rule</label>
        <select id={`${id}-rule`} value={search.rule ?? ''} onChange={(event) => set('rule', event.target.value)}>
          <option value="">Every rule</option>
          {alertRules.map((rule) => (
            <option key={rule} value={rule}>
              {ruleLabels[rule]}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-project`}>Project</label>
        <select id={`${id}-project`} value={search.project ?? ''} onChange={(event) => set('project', event.target.value)}>
          <option value="">Every project</option>
          {(projects.data ?? []).map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
          {search.project && !(projects.data ?? []).includes(search.project) ? <option value={search.project}>{search.project}</option> : null}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-severity`}>Severity</label>
        <select id={`${id}-severity`} value={search.severity ?? ''} onChange={(event) => set('severity', event.target.value)}>
          <option value="">Every severity</option>
          {alertSeverities.map((severity) => (
            <option key={severity} value={severity}>
              {severityLabels[severity]}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-sort`}>Sort</label>
        <select id={`${id}-sort`} value={search.sort ?? 'severity'} onChange={(event) => set('sort', event.target.value === 'severity' ? '' : event.target.value)}>
          <option value="severity">Most severe first</option>
          <option value="recent">Most recent first</option>
        </select>
      </div>
    </form>
  )
}

function StateCounts({ search, counts }: { search: AlertsSearch; counts: Record<(typeof alertStates)[number], number> }) {
  const current = search.state ?? 'open'
  return (
    <nav aria-label="Alerts by state">
      <ul className="alert-counts">
        {alertStates.map((state) => (
          <li key={state}>
            <Link to={paths.alerts(toAlertsSearchParams({ ...search, state: state === 'open' ? undefined : state }))} aria-current={current === state ? 'true' : undefined}>
              {stateLabels[state]} <span className="diff-count">{counts[state]}</span>
            </Link>
          </li>
        ))}
        <li>
          <Link to={paths.alerts(toAlertsSearchParams({ ...search, state: UNRESOLVED }))} aria-current={current === UNRESOLVED ? 'true' : undefined}>
            Not resolved <span className="diff-count">{unresolvedStates.reduce((sum, state) => sum + counts[state], 0)}</span>
          </Link>
        </li>
      </ul>
    </nav>
  )
}

/** Keys that act on the queue; ignored while typing in a field or with a modifier held. */
function isTypingTarget(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName))
}

function Queue({ alerts, truncated }: { alerts: readonly Alert[]; truncated: boolean }) {
  const { groups, flat } = useMemo(() => groupAlerts(alerts), [alerts])
  const [current, setCurrent] = useState(0)
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set())
  const [form, setForm] = useState<{ ids: string[]; initial?: 'waived' } | null>(null)
  const [shortcuts, setShortcuts] = useState(false)
  const [announcement, setAnnouncement] = useState('')
  const triage = useTriage()
  const rows = useRef(new Map<string, HTMLAnchorElement>())

  // The selection only holds alerts still in the queue (a triaged alert leaves a filtered view).
  const visibleSelection = flat.filter((alert) => selected.has(alert.id))
  const index = Math.min(current, Math.max(flat.length - 1, 0))
  const focused = flat[index]

  const act = useCallback(
    (ids: string[], patch: AlertPatch) => {
      const chosen = flat.filter((alert) => ids.includes(alert.id) && allowedTransitions[alert.state].includes(patch.state))
      if (chosen.length === 0) return setAnnouncement(`Nothing to ${patch.state === 'acknowledged' ? 'acknowledge' : patch.state === 'resolved' ? 'resolve' : 'change'}: the lifecycle does not allow it.`)
      triage.run(
        chosen.map((alert) => alert.id),
        patch,
      )
      setAnnouncement(`${chosen.length} alert${chosen.length === 1 ? '' : 's'} ${patch.state}.`)
      setSelected(new Set())
      setForm(null)
    },
    [flat, triage],
  )

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.metaKey || event.ctrlKey || event.altKey || isTypingTarget(event.target)) return
      if (event.key === '?') {
        event.preventDefault()
        return setShortcuts(true)
      }
      if (flat.length === 0 || form !== null || shortcuts) return
      const targets = visibleSelection.length > 0 ? visibleSelection.map((alert) => alert.id) : focused ? [focused.id] : []
      switch (event.key) {
        case 'j':
        case 'k': {
          event.preventDefault()
          const next = Math.max(0, Math.min(flat.length - 1, index + (event.key === 'j' ? 1 : -1)))
          setCurrent(next)
          const alert = flat[next]
          if (alert) rows.current.get(alert.id)?.focus()
          return
        }
        case 'x':
          if (!focused) return
          event.preventDefault()
          setSelected((previous) => {
            const next = new Set(previous)
            if (next.has(focused.id)) next.delete(focused.id)
            else next.add(focused.id)
            return next
          })
          return
        case 'a':
          event.preventDefault()
          return act(targets, { state: 'acknowledged' })
        case 'r':
          event.preventDefault()
          return act(targets, { state: 'resolved' })
        case 'w':
          event.preventDefault()
          if (targets.length > 0) setForm({ ids: targets, initial: 'waived' })
          return
      }
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [act, flat, focused, form, index, shortcuts, visibleSelection])

  if (alerts.length === 0) return <EmptyState title="No alerts match">Nothing the rules found is in this state for these filters.</EmptyState>

  const formAlerts = form ? flat.filter((alert) => form.ids.includes(alert.id)) : []
  return (
    <>
      <p className="visually-hidden" role="status" aria-live="polite">
        {announcement}
      </p>
      <TriageStatus triage={triage} />
      <div className="alert-bulk" role="toolbar" aria-label="Selected alerts">
        <span>{visibleSelection.length === 0 ? 'No alert selected' : `${visibleSelection.length} selected`}</span>
        <button type="button" className="button button-small" disabled={visibleSelection.length === 0} onClick={() => act(visibleSelection.map((alert) => alert.id), { state: 'acknowledged' })}>
          Acknowledge selected
        </button>
        <button type="button" className="button button-small" disabled={visibleSelection.length === 0} onClick={() => act(visibleSelection.map((alert) => alert.id), { state: 'resolved' })}>
          Resolve selected
        </button>
        <button type="button" className="button button-small" disabled={visibleSelection.length === 0} onClick={() => setForm({ ids: visibleSelection.map((alert) => alert.id), initial: 'waived' })}>
          Waive selected…
        </button>
        <button type="button" className="button button-small button-quiet" onClick={() => setShortcuts(true)}>
          Keyboard shortcuts
        </button>
      </div>
      {form ? (
        <section className="card" aria-label={`Triage ${formAlerts.length} alert${formAlerts.length === 1 ? '' : 's'}`}>
          <p>
            {formAlerts.length === 1 ? `Triage “${formAlerts[0]?.title ?? ''}”` : `Triage ${formAlerts.length} alerts`}{' '}
            <button type="button" className="button button-small button-quiet" onClick={() => setForm(null)}>
              Cancel
            </button>
          </p>
          <TriageForm states={formAlerts.map((alert) => alert.state)} busy={triage.mutation.isPending} initial={form.initial} onSubmit={(patch) => act(form.ids, patch)} />
        </section>
      ) : null}
      {truncated ? <p className="notice">The 500 most relevant alerts are shown; narrow the filters to see the rest.</p> : null}
      {groups.map((group) => (
        <section key={group.rule} className="alert-group" aria-labelledby={`group-${group.rule}`}>
          <h2 id={`group-${group.rule}`}>
            {group.label} <span className="diff-count">{group.count}</span>
          </h2>
          {group.projects.map((project) => (
            <div key={project.project}>
              <h3>{project.project}</h3>
              <ul className="alert-rows" aria-label={`${group.label} in ${project.project}`}>
                {project.alerts.map((alert) => {
                  const isCurrent = alert.id === focused?.id
                  return (
                    <li key={alert.id} className={isCurrent ? 'alert-row is-current' : 'alert-row'} aria-current={isCurrent ? 'true' : undefined}>
                      <input
                        type="checkbox"
                        aria-label={`Select ${alert.title}`}
                        checked={selected.has(alert.id)}
                        onChange={() =>
                          setSelected((previous) => {
                            const next = new Set(previous)
                            if (next.has(alert.id)) next.delete(alert.id)
                            else next.add(alert.id)
                            return next
                          })
                        }
                      />
                      <SeverityBadge severity={alert.severity} />
                      <Link
                        to={paths.alert(alert.id)}
                        ref={(element) => {
                          if (element) rows.current.set(alert.id, element)
                          else rows.current.delete(alert.id)
                        }}
                        onFocus={() => setCurrent(flat.findIndex((candidate) => candidate.id === alert.id))}
                      >
                        {alert.title}
                      </Link>
                      <span className="alert-row-meta">
                        {alert.occurrences} {occurrenceKind(alert.rule)}
                        {alert.occurrences === 1 ? '' : 's'} · last seen <RelativeTime iso={alert.lastSeen} />
                      </span>
                      <StateBadge state={alert.state} />
                    </li>
                  )
                })}
              </ul>
            </div>
          ))}
        </section>
      ))}
      {shortcuts ? <ShortcutsDialog onClose={() => setShortcuts(false)} /> : null}
    </>
  )
}
