import type { AlertSeverity, AlertState } from '../../../contract/alerts'

const severityIcons: Record<AlertSeverity, string> = { critical: '‼', high: '!', medium: '▲', low: '·' }
export const severityLabels: Record<AlertSeverity, string> = { critical: 'Critical', high: 'High', medium: 'Medium', low: 'Low' }
export const stateLabels: Record<AlertState, string> = { open: 'Open', acknowledged: 'Acknowledged', resolved: 'Resolved', waived: 'Waived' }

/** Severity in a word and an icon; colour is only a third cue. */
export function SeverityBadge({ severity }: { severity: AlertSeverity }) {
  return (
    <span className={`badge alert-severity alert-severity-${severity}`}>
      <span className="badge-icon" aria-hidden="true">
        {severityIcons[severity]}
      </span>
      {severityLabels[severity]}
    </span>
  )
}

export function StateBadge({ state }: { state: AlertState }) {
  return <span className={`badge alert-state alert-state-${state}`}>{stateLabels[state]}</span>
}
