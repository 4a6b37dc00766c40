import { DEPLOYMENT_RULE, type Alert, type AlertHistoryEntry } from '../../src/contract/alerts'
import type { Deployment } from '../../src/contract/deployments'
import { mergeFinding, type Occurrence } from './aggregate'
import { RollingBaseline } from './baseline'
import type { BuildFacts } from './facts'
import { alertId, deploymentCause, deploymentClearedReason, evaluateBuildAgainst, evaluateDeployment, type Finding } from './rules'
import type { AlertSettings } from './settings'

/*
 * Every build evaluated in time order, each against the earlier builds of its project, and the findings filed
 * as alerts: what the server's engine does incrementally at ingest, done at once over a list in memory (the
 * mocks answer from this).
 */

export type ReplayedAlert = { alert: Alert; history: AlertHistoryEntry[]; occurrences: Occurrence[] }

export function replayAlerts(builds: readonly BuildFacts[], settingsFor: (build: BuildFacts) => AlertSettings, now: number): Map<string, ReplayedAlert> {
  const ordered = [...builds].sort((a, b) => a.time - b.time || (a.buildId < b.buildId ? -1 : 1))
  // Per project, every earlier build and a counted window for each baseline size its settings ask for (one, unless
  // the policy gives its repositories different sizes): each build is newer than all before it, so the counts are its baseline.
  const byProject = new Map<string, { earlier: BuildFacts[]; windows: Map<number, RollingBaseline> }>()
  const alerts = new Map<string, ReplayedAlert>()
  for (const build of ordered) {
    const settings = settingsFor(build)
    const size = settings.baseline.builds
    let project = byProject.get(build.project)
    if (project === undefined) {
      project = { earlier: [], windows: new Map() }
      byProject.set(build.project, project)
    }
    let window = project.windows.get(size)
    if (window === undefined) {
      window = new RollingBaseline(size)
      for (const earlier of project.earlier.slice(-size)) window.add(earlier)
      project.windows.set(size, window)
    }
    for (const finding of evaluateBuildAgainst(build, window.baselineFor(build, size), settings)) {
      file(alerts, finding, { buildId: build.buildId, documentId: build.documentId, at: build.time, expected: finding.evidence.expected, found: finding.evidence.found }, now)
    }
    project.earlier.push(build)
    for (const each of project.windows.values()) each.add(build)
  }
  return alerts
}

/**
 * The deployment rule over every deployment, oldest first, filed into `alerts`; then each deployment alert whose
 * service runs nothing unverified in its environment any more is resolved by the rules, as the server's engine does.
 */
export function replayDeploymentAlerts(
  alerts: Map<string, ReplayedAlert>,
  deployments: readonly { deployment: Deployment; current: boolean }[],
  settingsFor: (deployment: Deployment) => AlertSettings,
  context: { projects: ReadonlyMap<string, string>; documents: ReadonlyMap<string, string> },
  now: number,
): void {
  const ordered = [...deployments].sort((a, b) => (a.deployment.deployedAt < b.deployment.deployedAt ? -1 : a.deployment.deployedAt > b.deployment.deployedAt ? 1 : a.deployment.id < b.deployment.id ? -1 : 1))
  const active = new Set<string>()
  for (const { deployment, current } of ordered) {
    for (const finding of evaluateDeployment(deployment, settingsFor(deployment), { project: context.projects.get(deployment.service) ?? null, documents: context.documents })) {
      file(alerts, finding, { buildId: deployment.id, documentId: deployment.documentId ?? '', at: Date.parse(deployment.deployedAt), expected: finding.evidence.expected, found: finding.evidence.found }, now)
      if (current) active.add(alertId(finding.project, finding.rule, finding.cause))
    }
  }
  const running = new Map(deployments.filter((entry) => entry.current).map((entry) => [deploymentCause(entry.deployment), entry.deployment]))
  for (const [id, entry] of alerts) {
    const { alert } = entry
    if (alert.rule !== DEPLOYMENT_RULE || alert.state === 'resolved' || active.has(id)) continue
    const at = new Date(now).toISOString()
    entry.alert = { ...alert, state: 'resolved', waiver: null, updatedAt: at }
    entry.history = [...entry.history, { at, actor: 'rules', kind: 'cleared', from: alert.state, to: 'resolved', reason: deploymentClearedReason(alert.cause, running.get(alert.cause)) }]
  }
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
