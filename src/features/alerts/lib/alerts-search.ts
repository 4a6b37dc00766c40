import { z } from 'zod'
import { AlertRule, AlertSeverity, AlertState, alertSorts, UNRESOLVED, type AlertQuery } from '../../../contract/alerts'
import { BuildId } from '../../../contract/common'
import type { AlertsSearchParams } from '../../../lib/paths'
import { droppedValue, type UnknownFilter } from '../../../lib/url-filters'

/** The queue's filters as the URL holds them; a value the API would refuse reads as absent, and is reported. */
export const AlertsSearch = z.object({
  /** `all` lists every state, `unresolved` open, acknowledged and waived; absent means open. */
  state: z.union([AlertState, z.literal('all'), z.literal(UNRESOLVED)]).optional().catch(undefined),
  rule: AlertRule.optional().catch(undefined),
  project: z.string().trim().min(1).max(512).optional().catch(undefined),
  severity: AlertSeverity.optional().catch(undefined),
  sort: z.enum(alertSorts).optional().catch(undefined),
  /** Only the alerts this build showed (the build page's Alerts link). */
  build: BuildId.optional().catch(undefined),
})
export type AlertsSearch = z.infer<typeof AlertsSearch>

export function parseAlertsSearch(params: URLSearchParams): AlertsSearch {
  return AlertsSearch.parse(Object.fromEntries(params))
}

/** The filters the URL names but that are not values the queue knows, in words for a notice. */
export function unknownAlertFilters(params: URLSearchParams, search: AlertsSearch): UnknownFilter[] {
  return [
    ...(['state', 'rule', 'severity', 'sort'] as const).flatMap((key) => droppedValue(params, key, search[key], (raw) => `${key} “${raw}” is not one the queue knows, so it is ignored.`)),
    ...droppedValue(params, 'build', search.build, (raw) => `build “${raw}” is not a build id (64 hexadecimal characters), so the alerts of every build are shown.`),
  ]
}

/** What a list of alerts asks the API: the queue's filters, or one build's alerts (`buildId`). */
export type AlertFilter = Partial<Pick<AlertQuery, 'state' | 'rule' | 'project' | 'severity' | 'buildId'>> & Pick<AlertQuery, 'sort' | 'limit'>

/** What the queue asks the API: open alerts by default, most severe first, every alert of the filter at once. */
export function toAlertFilter(search: AlertsSearch): AlertFilter {
  return {
    ...(search.state === 'all' ? {} : { state: search.state ?? 'open' }),
    ...(search.rule ? { rule: search.rule } : {}),
    ...(search.project ? { project: search.project } : {}),
    ...(search.severity ? { severity: search.severity } : {}),
    ...(search.build ? { buildId: search.build } : {}),
    sort: search.sort ?? 'severity',
    limit: 500,
  }
}

export function toAlertsSearchParams(search: AlertsSearch): AlertsSearchParams {
  return { state: search.state, rule: search.rule, project: search.project, severity: search.severity, sort: search.sort, build: search.build }
}
