import type { Alert, AlertHistoryEntry } from '../../src/contract/alerts'
import { mergeFinding, type Occurrence } from './aggregate'
import type { BuildFacts } from './facts'
import { alertId, evaluateBuild, type Finding } from './rules'
import type { AlertSettings } from './settings'

/*
 * Every build evaluated in time order, each against the earlier builds of its project, and the findings filed
 * as alerts: what the server's engine does incrementally at ingest, done at once over a list in memory (the
 * mocks answer from this).
 */

export type ReplayedAlert = { alert: Alert; history: AlertHistoryEntry[]; occurrences: Occurrence[] }

export function replayAlerts(builds: readonly BuildFacts[], settingsFor: (build: BuildFacts) => AlertSettings, now: number): Map<string, ReplayedAlert> {
  const ordered = [...builds].sort((a, b) => a.time - b.time || (a.buildId < b.buildId ? -1 : 1))
  const byProject = new Map<string, BuildFacts[]>()
  const alerts = new Map<string, ReplayedAlert>()
  for (const build of ordered) {
    const settings = settingsFor(build)
    const earlier = byProject.get(build.project) ?? []
    const history = earlier.slice(-settings.baseline.builds).reverse()
    for (const finding of evaluateBuild(build, history, settings)) file(alerts, finding, { buildId: build.buildId, documentId: build.documentId, at: build.time, found: finding.evidence.found }, now)
    earlier.push(build)
    byProject.set(build.project, earlier)
  }
  return alerts
}

function file(alerts: Map<string, ReplayedAlert>, finding: Finding, occurrence: Occurrence, now: number): void {
  const id = alertId(finding.project, finding.rule, finding.cause)
  const entry = alerts.get(id)
  const isNew = !entry?.occurrences.some((known) => known.buildId === occurrence.buildId)
  const merged = mergeFinding(entry?.alert ?? null, finding, occurrence, isNew, now)
  alerts.set(id, {
    alert: merged.alert,
    history: [...(entry?.history ?? []), ...merged.history],
    occurrences: isNew ? [...(entry?.occurrences ?? []), occurrence] : (entry?.occurrences ?? []),
  })
}
