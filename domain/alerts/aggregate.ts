import type { Alert, AlertHistoryEntry } from '../../src/contract/alerts'
import { alertSeverities, occurrenceKind } from '../../src/contract/alerts'
import { alertId, type Finding } from './rules'
import { recur } from './triage'

/*
 * How findings become alerts, written once for the store and the mocks: one alert per (project, rule, cause);
 * each build that shows the cause again adds one occurrence, moves last seen, and takes the evidence of the newest
 * build; a resolved alert whose cause recurs reopens.
 */

/** One build showing a cause: the build, its provenance, when it ran, and what was expected and found in it. */
export type Occurrence = { buildId: string; documentId: string; at: number; expected: string; found: string }

/** 3 for critical down to 0 for low: every order of the queue is then descending, so one index serves it. */
export const severityWeight = (severity: Alert["severity"]) => alertSeverities.length - 1 - alertSeverities.indexOf(severity)

const iso = (ms: number) => new Date(ms).toISOString()

/**
 * The alert after one finding. `newOccurrence` is false when this build was already counted (re-evaluation after
 * a policy change replays old builds): then only the rule's current severity is taken.
 */
export function mergeFinding(
  existing: Alert | null,
  finding: Finding,
  occurrence: Occurrence,
  newOccurrence: boolean,
  now: number,
): { alert: Alert; history: AlertHistoryEntry[]; created: boolean } {
  if (existing === null) {
    const alert: Alert = {
      id: alertId(finding.project, finding.rule, finding.cause),
      rule: finding.rule,
      severity: finding.severity,
      project: finding.project,
      cause: finding.cause,
      title: finding.title,
      subject: finding.subject,
      evidence: finding.evidence,
      state: 'open',
      waiver: null,
      firstSeen: iso(occurrence.at),
      lastSeen: iso(occurrence.at),
      occurrences: 1,
      updatedAt: iso(now),
    }
    return { alert, history: [{ at: iso(now), actor: 'rules', kind: 'created', from: null, to: 'open', reason: `${finding.title} (${occurrenceKind(finding.rule)} ${occurrence.buildId.slice(0, 12)})` }], created: true }
  }
  if (!newOccurrence) {
    // The newest occurrence judged again (its provenance or telemetry arrived later) brings its evidence up to date.
    const latest = Date.parse(existing.lastSeen) === occurrence.at && JSON.stringify([existing.title, existing.evidence]) !== JSON.stringify([finding.title, finding.evidence])
    if (existing.severity === finding.severity && !latest) return { alert: existing, history: [], created: false }
    return { alert: { ...existing, severity: finding.severity, ...(latest ? { title: finding.title, evidence: finding.evidence } : {}), updatedAt: iso(now) }, history: [], created: false }
  }
  const newest = Date.parse(existing.lastSeen) <= occurrence.at
  const reopened = recur({ state: existing.state, waiver: existing.waiver }, `${occurrenceKind(finding.rule)} ${occurrence.buildId}`, now)
  const alert: Alert = {
    ...existing,
    severity: finding.severity,
    ...(newest ? { title: finding.title, subject: finding.subject, evidence: finding.evidence, lastSeen: iso(occurrence.at) } : {}),
    firstSeen: Date.parse(existing.firstSeen) > occurrence.at ? iso(occurrence.at) : existing.firstSeen,
    occurrences: existing.occurrences + 1,
    state: reopened.next.state,
    waiver: reopened.next.waiver,
    updatedAt: iso(now),
  }
  return { alert, history: reopened.entry ? [reopened.entry] : [], created: false }
}
