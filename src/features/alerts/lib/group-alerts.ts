import { ruleLabels, type Alert, type AlertRule } from '../../../contract/alerts'

export type AlertGroup = { rule: AlertRule; label: string; projects: { project: string; alerts: Alert[] }[]; count: number }

/**
 * The queue grouped by rule, then by project, keeping the API's order: a group comes where its first alert came,
 * so "most severe first" still holds between groups. `flat` is the order keyboard navigation walks.
 */
export function groupAlerts(alerts: readonly Alert[]): { groups: AlertGroup[]; flat: Alert[] } {
  const groups: AlertGroup[] = []
  for (const alert of alerts) {
    let group = groups.find((candidate) => candidate.rule === alert.rule)
    if (!group) {
      group = { rule: alert.rule, label: ruleLabels[alert.rule], projects: [], count: 0 }
      groups.push(group)
    }
    let project = group.projects.find((candidate) => candidate.project === alert.project)
    if (!project) {
      project = { project: alert.project, alerts: [] }
      group.projects.push(project)
    }
    project.alerts.push(alert)
    group.count++
  }
  return { groups, flat: groups.flatMap((group) => group.projects.flatMap((project) => project.alerts)) }
}
