import { useQuery } from '@tanstack/react-query'
import { useState } from 'react'
import { Link } from '../../../components/ui/app-link'
import { describeError } from '../../../api/api-error'
import { DEPLOYMENT_RULE, UNRESOLVED } from '../../../contract/alert-terms'
import { DEMO_LAST_DAY, overviewDay, type Overview } from '../../../contract/overview'
import { ErrorState } from '../../../components/ui/error-state'
import { RelativeTime } from '../../../components/ui/relative-time'
import { Spinner } from '../../../components/ui/spinner'
import { formatCount } from '../../../lib/format'
import { paths } from '../../../lib/paths'
import { useSearchParams } from '../../../lib/search-params'
import { metaQueries } from '../../../api/meta-queries'
import { overviewQueries } from '../overview-queries'
import { percent, total, trend, utcDay } from '../lib/overview-figures'
import { Sparkline } from './sparkline'
import './overview.css'

const today = () => utcDay(Date.now())

const severities = ['critical', 'high', 'medium', 'low'] as const
const severityNames = { critical: 'Critical', high: 'High', medium: 'Medium', low: 'Low' } as const
const statusNames = { verified: 'Verified', failed: 'Failed', untrusted: 'Untrusted key', unsigned: 'Unsigned', unverifiable: 'Unverifiable' } as const

/** The first screen: where to look first. Every number links to the list it counts. */
export function OverviewPage() {
  // Fixed for the page's life, so the figures and the links they carry stay one set of days.
  const [now] = useState(today)
  // `?day=` shows the windows ending on an earlier day (an audit's date, the demo's last day).
  const [searchParams] = useSearchParams()
  const day = overviewDay(searchParams, now)
  const overview = useQuery(overviewQueries.forDay(day))
  const meta = useQuery(metaQueries.server())
  return (
    <section className="page" aria-labelledby="overview-heading">
      <title>{day === now ? 'Overview · Provenance' : `Overview as of ${day} · Provenance`}</title>
      <header className="page-header">
        <h1 id="overview-heading">{day === now ? 'Overview' : `Overview as of ${day}`}</h1>
        <p className="page-lede">
          Where to look first: open alerts, how verification and reproducibility went over the last 7 and 30 days (UTC, up to {day === now ? 'today' : day}), and
          the latest failures.{' '}
          {day === now ? null : (
            <Link to={paths.home()}>
              Up to today
            </Link>
          )}
        </p>
        {/* The demo's dates are signed into its documents: as the calendar moves on, its history leaves the windows. */}
        {meta.data?.demo === true && day === now && now > DEMO_LAST_DAY ? (
          <p className="notice">
            The demo&rsquo;s builds end on {DEMO_LAST_DAY}, so the windows up to today hold few of them.{' '}
            <Link to={`${paths.home()}?day=${DEMO_LAST_DAY}`}>See the overview as of {DEMO_LAST_DAY}</Link>.
          </p>
        ) : null}
      </header>
      {overview.isPending ? (
        <Spinner label="Loading the overview" />
      ) : overview.isError ? (
        <ErrorState title="The overview could not be loaded" {...describeError(overview.error)} onRetry={() => void overview.refetch()} retrying={overview.isFetching} />
      ) : (
        <Figures overview={overview.data} />
      )}
    </section>
  )
}

function Figure({ to, value, label }: { to: string; value: number | string; label: string }) {
  return (
    <li>
      <Link to={to} aria-label={`${label}: ${value}`}>
        <span className="overview-figure-value">{value}</span>
        <span className="overview-figure-label">{label}</span>
      </Link>
    </li>
  )
}

function Figures({ overview }: { overview: Overview }) {
  const openTotal = severities.reduce((sum, severity) => sum + overview.openAlerts[severity], 0)
  return (
    <div className="overview-grid">
      <section className="card" aria-labelledby="overview-alerts">
        <h2 id="overview-alerts">Open alerts</h2>
        <ul className="overview-figures">
          <Figure to={paths.alerts()} value={openTotal} label="All open" />
          {severities.map((severity) => (
            <Figure key={severity} to={paths.alerts({ severity })} value={overview.openAlerts[severity]} label={severityNames[severity]} />
          ))}
        </ul>
      </section>
      {(['last7', 'last30'] as const).map((key) => {
        const window = overview.verification[key]
        const rate = percent(window.counts.verified, total(window.counts))
        const before = percent(window.previous.verified, total(window.previous))
        const movement = trend(rate, before)
        const days = key === 'last7' ? 7 : 30
        const series = overview.daily.slice(-days).map((entry) => percent(entry.verified, entry.builds))
        return (
          <section key={key} className="card" aria-labelledby={`overview-verification-${key}`}>
            <h2 id={`overview-verification-${key}`}>Verification, last {days} days</h2>
            <div className="overview-rate">
              <Link to={paths.builds({ status: 'verified', from: window.window.from, to: window.window.to })}>
                {rate === null ? (
                  'No builds'
                ) : (
                  <>
                    <span className="overview-figure-value">{rate}%</span> verified
                  </>
                )}
              </Link>
              <span className={`overview-trend-${movement.direction}`}>{movement.text}</span>
              <Sparkline values={series} max={100} label={`Share of builds verified each day over the last ${days} days, from ${series.find((value) => value !== null) ?? 'no'}% to ${series.at(-1) ?? 'no'}%`} />
            </div>
            <ul className="overview-figures">
              {(['verified', 'failed', 'untrusted', 'unsigned', 'unverifiable'] as const)
                .filter((status) => status === 'verified' || status === 'failed' || window.counts[status] > 0)
                .map((status) => (
                  <Figure key={status} to={paths.builds({ status, from: window.window.from, to: window.window.to })} value={window.counts[status]} label={statusNames[status]} />
                ))}
            </ul>
          </section>
        )
      })}
      <section className="card" aria-labelledby="overview-reproducibility">
        <h2 id="overview-reproducibility">Reproducibility</h2>
        {(['last7', 'last30'] as const).map((key) => {
          const window = overview.reproducibility[key]
          const rebuilds = window.match + window.mismatch
          const rate = percent(window.match, rebuilds)
          const movement = trend(rate, percent(window.previousMatch, window.previousMatch + window.previousMismatch))
          return (
            <p key={key} className="overview-rate">
              <span>Last {key === 'last7' ? 7 : 30} days:</span>
              <Link to={paths.reproducibility({ range: '30' })}>
                {rate === null ? (
                  'No rebuilds'
                ) : (
                  <>
                    <span className="overview-figure-value">{rate}%</span> of {formatCount(rebuilds)} {rebuilds === 1 ? 'rebuild' : 'rebuilds'} matched
                  </>
                )}
              </Link>
              <span className={`overview-trend-${movement.direction}`}>{movement.text}</span>
            </p>
          )
        })}
        <Sparkline
          values={overview.daily.map((entry) => percent(entry.match, entry.match + entry.mismatch))}
          max={100}
          label="Share of rebuilds that matched each day over the last 30 days"
        />
      </section>
      <section className="card" aria-labelledby="overview-deployments">
        <h2 id="overview-deployments">Deployments without verified provenance</h2>
        {overview.unverifiedDeployments === null ? (
          <p className="muted">This server could not count them.</p>
        ) : (
          <>
            <ul className="overview-figures">
              <Figure
                to={paths.alerts({ rule: DEPLOYMENT_RULE, state: UNRESOLVED })}
                value={overview.unverifiedDeployments}
                label={overview.unverifiedDeployments === 1 ? 'Service running unverified' : 'Services running unverified'}
              />
            </ul>
            <p className="muted">
              {overview.unverifiedDeployments === 1 ? 'A service runs' : 'Services run'} now without a verified path back to a source commit; each is an alert of the rule
              “deployed without verified provenance” until what runs verifies.
            </p>
          </>
        )}
      </section>
      <section className="card" aria-labelledby="overview-failures">
        <h2 id="overview-failures">Most recent failures</h2>
        {overview.recentFailures.length === 0 ? (
          <p className="muted">No build has failed verification.</p>
        ) : (
          <ul className="plain-list">
            {overview.recentFailures.map((build) => (
              <li key={build.id}>
                <Link to={paths.build(build.id, build.failedCheck ?? undefined)}>
                  {build.project}: {build.failedCheck ?? 'failed'}
                </Link>{' '}
                <span className="muted">
                  <RelativeTime iso={build.time} />
                </span>
              </li>
            ))}
          </ul>
        )}
        <p>
          <Link to={paths.builds({ status: 'failed' })}>Every failed build</Link>
        </p>
      </section>
    </div>
  )
}
