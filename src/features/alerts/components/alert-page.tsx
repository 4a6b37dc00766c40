import { useQuery } from '@tanstack/react-query'
import { useParams } from 'react-router'
import { Link } from '../../../components/ui/app-link'
import { describeError } from '../../../api/api-error'
import { occurrenceKind, ruleLabels, type AlertDetail } from '../../../contract/alerts'
import { ErrorState } from '../../../components/ui/error-state'
import { RelativeTime } from '../../../components/ui/relative-time'
import { Spinner } from '../../../components/ui/spinner'
import { paths } from '../../../lib/paths'
import { alertQueries } from '../alerts-queries'
import { SeverityBadge, StateBadge, stateLabels } from './severity-badge'
import { TriageForm } from './triage-form'
import { TriageStatus } from './triage-token-form'
import { useTriage } from './use-triage'
import './alerts.css'

export function AlertPage() {
  const { id = '' } = useParams()
  const alert = useQuery(alertQueries.detail(id))
  if (alert.isPending) return <Spinner label="Loading the alert" />
  if (alert.isError) {
    return (
      <section className="page">
        <ErrorState title="The alert could not be loaded" {...describeError(alert.error)} onRetry={() => void alert.refetch()} retrying={alert.isFetching} />
      </section>
    )
  }
  return <AlertView alert={alert.data} />
}

const kindLabels: Record<AlertDetail['history'][number]['kind'], string> = {
  created: 'Raised',
  transition: 'Changed',
  recurred: 'Recurred',
  reopened: 'Reopened',
  'waiver-expired': 'Waiver ended',
  cleared: 'Cleared by the rules',
}

function AlertView({ alert }: { alert: AlertDetail }) {
  const triage = useTriage()
  const subjectLink =
    alert.subject.kind === 'artifact'
      ? paths.artifact(alert.subject.id)
      : alert.subject.kind === 'deployment'
        ? paths.lineage({ from: alert.subject.id })
        : paths.build(alert.subject.buildId)
  // The deployment rule's occurrences are deployments, shown on the lineage graph; every other rule's are builds.
  const kind = occurrenceKind(alert.rule)
  const occurrenceLink = (id: string) => (kind === 'deployment' ? paths.lineage({ from: id }) : paths.build(id))
  // Builds each expected something of their own (a rebuild mismatch: each its published digest): the evidence above is
  // the newest build's, and each row says what its build expected.
  const ownExpectations = alert.recentOccurrences.some((occurrence) => occurrence.expected !== null && occurrence.expected !== alert.evidence.expected)
  return (
    <section className="page" aria-labelledby="alert-heading">
      <title>{`${alert.title} · Alerts · Provenance`}</title>
      <nav className="breadcrumb" aria-label="Breadcrumb">
        <Link to={paths.alerts({ rule: alert.rule, project: alert.project, state: alert.state === 'open' ? undefined : alert.state })}>
          {ruleLabels[alert.rule]} in {alert.project}
        </Link>
      </nav>
      <header className="page-header">
        <h1 id="alert-heading">{alert.title}</h1>
        <p className="page-lede">
          <SeverityBadge severity={alert.severity} /> <StateBadge state={alert.state} /> {ruleLabels[alert.rule]} in {alert.project}; seen in{' '}
          {alert.occurrences} {kind}
          {alert.occurrences === 1 ? '' : 's'}, first <RelativeTime iso={alert.firstSeen} />, last <RelativeTime iso={alert.lastSeen} />.
        </p>
        {alert.waiver ? (
          <p className="notice">
            Waived by {alert.waiver.by} until <RelativeTime iso={alert.waiver.expiresAt} />: {alert.waiver.reason}
          </p>
        ) : null}
      </header>
      <div className="alert-columns">
        <section className="card" aria-labelledby="evidence-heading">
          <h2 id="evidence-heading">Evidence</h2>
          <dl className="facts">
            <div className="fact">
              <dt>Expected{ownExpectations ? ' (newest build)' : ''}</dt>
              <dd className="mono">{alert.evidence.expected}</dd>
            </div>
            <div className="fact">
              <dt>Found{ownExpectations ? ' (newest build)' : ''}</dt>
              <dd className="mono found-wrong">{alert.evidence.found}</dd>
            </div>
            <div className="fact">
              <dt>Why expected</dt>
              <dd>{alert.evidence.basis}</dd>
            </div>
            <div className="fact">
              <dt>Concerns</dt>
              <dd>
                <Link to={subjectLink}>{alert.subject.label}</Link>
              </dd>
            </div>
          </dl>
          <h3>Documents that show it</h3>
          {alert.evidence.documents.length === 0 ? <p className="muted">No stored document names what was found: it was recorded without one.</p> : null}
          <ul className="plain-list">
            {alert.evidence.documents.map((document) => (
              <li key={document.id}>
                <a href={`/api/v1/documents/${document.id}`} download>
                  {document.label}
                </a>{' '}
                <span className="mono muted">{document.id.slice(0, 12)}</span>
              </li>
            ))}
          </ul>
          <h3>{kind === 'deployment' ? 'Deployments' : 'Builds'} that showed it</h3>
          {/* Its own sideways scroll on a phone: two columns of digests are wider than the screen. */}
          <div className="table-wrap">
            <table className="data-table">
              <caption className="visually-hidden">The most recent {kind}s that showed this cause</caption>
              <thead>
                <tr>
                  <th scope="col">{kind === 'deployment' ? 'Deployment' : 'Build'}</th>
                  <th scope="col">When</th>
                  {ownExpectations ? <th scope="col">Expected</th> : null}
                  <th scope="col">Found</th>
                </tr>
              </thead>
              <tbody>
                {alert.recentOccurrences.map((occurrence) => (
                  <tr key={occurrence.buildId}>
                    <td>
                      <Link to={occurrenceLink(occurrence.buildId)} className="mono">
                        {occurrence.buildId.slice(0, 12)}
                      </Link>
                    </td>
                    <td>
                      <RelativeTime iso={occurrence.at} />
                    </td>
                    {ownExpectations ? <td className="cell-wrap">{occurrence.expected ?? 'not recorded'}</td> : null}
                    <td className="cell-wrap">{occurrence.found}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
        {/* Three cards, not three headings in one: under one card's edge they ran into each other. */}
        <div>
          <section className="card" aria-labelledby="triage-heading">
            <h2 id="triage-heading">Triage</h2>
            <TriageStatus triage={triage} />
            <TriageForm key={alert.state} states={[alert.state]} busy={triage.mutation.isPending} onSubmit={(patch) => triage.run([alert.id], patch)} />
          </section>
          <section className="card" aria-labelledby="history-heading">
            <h2 id="history-heading">History</h2>
            <ol className="alert-history">
              {alert.history.map((entry, index) => (
                <li key={`${entry.at}-${index}`}>
                  <strong>{kindLabels[entry.kind]}</strong>
                  {entry.from
                    ? ` ${stateLabels[entry.from].toLowerCase()} → ${stateLabels[entry.to].toLowerCase()}`
                    : ` as ${stateLabels[entry.to].toLowerCase()}`}{' '}
                  by {entry.actor}, <RelativeTime iso={entry.at} />
                  {entry.reason ? <p className="muted">{entry.reason}</p> : null}
                </li>
              ))}
            </ol>
          </section>
          <section className="card" aria-labelledby="deliveries-heading">
            <h2 id="deliveries-heading">Webhook deliveries</h2>
            {alert.deliveries.length === 0 ? (
              <p className="muted">None: no webhook is configured for this severity, or the alert predates it.</p>
            ) : (
              <ul className="plain-list">
                {alert.deliveries.map((delivery) => (
                  <li key={`${delivery.at}-${delivery.attempt}`}>
                    Attempt {delivery.attempt}, <RelativeTime iso={delivery.at} />: {delivery.ok ? 'delivered' : 'failed'} ({delivery.status ?? 'no answer'}){' '}
                    <span className="muted">{delivery.response}</span>
                  </li>
                ))}
              </ul>
            )}
          </section>
        </div>
      </div>
    </section>
  )
}
