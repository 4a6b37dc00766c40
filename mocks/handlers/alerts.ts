import { HttpResponse } from 'msw'
import { AlertDetail, AlertPage, AlertPatch, alertRoutes, UNRESOLVED, unresolvedStates, type AlertQuery } from '../../src/contract/alerts'
import { zodProblem } from '../../src/contract/route-spec'
import { demoPolicy } from '../../demo/alerts-policies'
import { DEMO_END, demoProjects } from '../../demo/model'
import { severityWeight } from '../../domain/alerts/aggregate'
import { buildFacts, type RebuildVerdictFacts } from '../../domain/alerts/facts'
import { replayAlerts, replayDeploymentAlerts, type ReplayedAlert } from '../../domain/alerts/replay'
import { alertSettings, type AlertSettings } from '../../domain/alerts/settings'
import { applyTriage, expireWaiver } from '../../domain/alerts/triage'
import { demoIndex } from '../data/demo-index'
import { demoDeploymentsDb } from '../data/lineage-deployments'
import { mockRoute, problem } from './route'

/*
 * Alerts in the mocks: the same rules (domain/alerts) over the same demo builds, policies and rebuild verdicts the
 * server's seed evaluates, so `npm run dev` shows what `npm start` shows. Triage changes live in memory until reload.
 */

let shared: Map<string, ReplayedAlert> | null = null

/** Every demo alert by id, evaluated once; triage changes are kept in memory. */
export function demoAlerts(): Map<string, ReplayedAlert> {
  if (shared) return shared
  const index = demoIndex()
  const settings = new Map<string, AlertSettings>(demoProjects.map((project) => [project.name, alertSettings(demoPolicy(project))]))
  const facts = index.details.map((detail) => {
    const rebuilds: RebuildVerdictFacts[] = detail.subjects.flatMap((subject) => (subject.digest.sha256 ? (index.rebuildsByArtifact.get(subject.digest.sha256) ?? []) : []).map((entry) => entry.rebuild()))
    return buildFacts(detail, rebuilds)
  })
  const alerts = replayAlerts(facts, (build) => settings.get(build.project) ?? alertSettings(null), DEMO_END)
  // The deployment rule over the demo's deployments, judged as the environments mock judges them.
  const deployments = demoDeploymentsDb(index).all
  const projects = new Map<string, string>()
  for (const { deployment } of deployments) if (deployment.project !== null && !projects.has(deployment.service)) projects.set(deployment.service, deployment.project)
  const documents = new Map(index.details.map((detail) => [detail.id as string, detail.document.id as string]))
  replayDeploymentAlerts(alerts, deployments, (deployment) => (deployment.project === null ? null : settings.get(deployment.project)) ?? alertSettings(null), { projects, documents }, DEMO_END)
  shared = alerts
  return shared
}

/** The mocks' clock: the demo's "now", so waivers are judged against the same day the demo shows. */
export const now = () => Math.max(Date.now(), DEMO_END)

export function expireWaivers(): void {
  for (const entry of demoAlerts().values()) {
    const expired = expireWaiver({ state: entry.alert.state, waiver: entry.alert.waiver }, now())
    if (!expired) continue
    entry.alert = { ...entry.alert, state: expired.next.state, waiver: null, updatedAt: new Date(now()).toISOString() }
    entry.history = [...entry.history, expired.entry]
  }
}

function detailOf(entry: ReplayedAlert): AlertDetail {
  return AlertDetail.parse({
    ...entry.alert,
    history: entry.history,
    recentOccurrences: [...entry.occurrences]
      .sort((a, b) => b.at - a.at || (a.buildId < b.buildId ? 1 : -1))
      .slice(0, 50)
      .map((occurrence) => ({ buildId: occurrence.buildId, documentId: occurrence.documentId, at: new Date(occurrence.at).toISOString(), expected: occurrence.expected, found: occurrence.found })),
    deliveries: [],
  })
}

function list(query: AlertQuery): AlertPage | null {
  expireWaivers()
  const filtered = [...demoAlerts().values()].filter(({ alert, occurrences }) => {
    if (query.rule !== undefined && alert.rule !== query.rule) return false
    if (query.project !== undefined && alert.project !== query.project) return false
    if (query.severity !== undefined && alert.severity !== query.severity) return false
    if (query.buildId !== undefined && !occurrences.some((occurrence) => occurrence.buildId === query.buildId)) return false
    return true
  })
  const counts = { open: 0, acknowledged: 0, resolved: 0, waived: 0 }
  for (const { alert } of filtered) counts[alert.state]++
  // The server's orders: severity then last seen then id, or last seen then id, all descending.
  const key = (entry: ReplayedAlert) => [query.sort === 'severity' ? severityWeight(entry.alert.severity) : 0, Date.parse(entry.alert.lastSeen), entry.alert.id] as const
  const ordered = filtered
    .filter(({ alert }) => query.state === undefined || alert.state === query.state || (query.state === UNRESOLVED && (unresolvedStates as readonly string[]).includes(alert.state)))
    .sort((a, b) => {
      const [x, y] = [key(a), key(b)]
      return y[0] - x[0] || y[1] - x[1] || (x[2] < y[2] ? 1 : x[2] > y[2] ? -1 : 0)
    })
  const offset = query.cursor === undefined ? 0 : Number.parseInt(query.cursor, 36)
  if (!Number.isSafeInteger(offset) || offset < 0) return null
  const items = ordered.slice(offset, offset + query.limit)
  const next = offset + items.length
  return AlertPage.parse({ items: items.map((entry) => entry.alert), counts, nextCursor: next < ordered.length ? next.toString(36) : null })
}

export const alertHandlers = [
  mockRoute(alertRoutes.listAlerts, ({ query }) => {
    const page = list(query)
    return page ? HttpResponse.json(page) : problem(400, 'invalid-cursor', 'cursor is not one this server issued; drop it to start from the first page', 'query.cursor')
  }),

  mockRoute(alertRoutes.getAlert, ({ params }) => {
    expireWaivers()
    const entry = demoAlerts().get(params.id)
    return entry ? HttpResponse.json(detailOf(entry)) : problem(404, 'not-found', `no alert with id ${params.id}`, 'path.id')
  }),

  mockRoute(alertRoutes.patchAlert, async ({ params }, request) => {
    // Any bearer token stands for a triage token in the mocks; none is the server's 401.
    if (!/^Bearer\s+\S+/i.test(request.headers.get('authorization') ?? '')) {
      return problem(401, 'unauthenticated', 'this request needs a bearer token with scope "triage" (Authorization: Bearer <token>)', 'header.authorization')
    }
    let body: unknown
    try {
      body = await request.json()
    } catch {
      return problem(400, 'invalid-json', 'the body is not JSON; send {"state": "acknowledged", "reason": "…"}', 'body')
    }
    const parsed = AlertPatch.safeParse(body)
    if (!parsed.success) {
      const bad = zodProblem(parsed.error, 'body')
      return problem(400, 'invalid-body', bad.message, bad.path)
    }
    expireWaivers()
    const entry = demoAlerts().get(params.id)
    if (!entry) return problem(404, 'not-found', `no alert with id ${params.id}`, 'path.id')
    const result = applyTriage({ state: entry.alert.state, waiver: entry.alert.waiver }, parsed.data, 'dev token', now())
    if (!result.ok) return problem(result.status, result.code, result.message, result.path)
    entry.alert = { ...entry.alert, state: result.next.state, waiver: result.next.waiver, updatedAt: result.entry.at }
    entry.history = [...entry.history, result.entry]
    return HttpResponse.json(detailOf(entry))
  }),
]
