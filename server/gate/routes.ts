import { randomBytes } from 'node:crypto'
import type { MiddlewareHandler } from 'hono'
import type { AlertSeverity } from '../../src/contract/alerts'
import { GateDecision, GateRequest, gateRoutes } from '../../src/contract/gate'
import { zodProblem } from '../../src/contract/route-spec'
import type { RouteDeps } from '../http/deps'
import { tokenFor } from '../http/auth'
import { apiError } from '../http/errors'
import { resourceApp } from '../http/mount'
import type { Store } from '../store/types'
import { judgeArtifact, severitiesAtOrAbove, type OpenAlert } from './decide'

/**
 * The release gate: may these artifacts be promoted under this policy? Allow only when every rule passes for each.
 * Every answer is recorded (who asked, when, for what, the answer) and listed at GET /api/v1/gate/decisions, unless
 * the request asks for a dry run.
 */
export function gateApp({ store, config, auth, now }: RouteDeps, alertsUpToDate: () => Promise<unknown>) {
  const { app, mount } = resourceApp(auth)

  /**
   * A recorded decision is a write: it needs scope `gate` (a CI token that may do nothing else) or `ingest`. A dry
   * run (`?record=false`) writes nothing and needs only what reads need. The query is checked by the route itself.
   */
  const decisionScope: MiddlewareHandler = async (c, next) => {
    if (c.req.query('record') === 'false') return auth('read')(c, next)
    const token = tokenFor(config, c.req.header('authorization'))
    if (token !== undefined && !token.scopes.includes('gate') && !token.scopes.includes('ingest')) {
      return apiError(c, 403, 'insufficient-scope', `token "${token.name}" has scope ${token.scopes.join(', ')}; recording a gate decision needs "gate" or "ingest" (a dry run, ?record=false, needs only "read")`, 'header.authorization')
    }
    // No token or an unknown one: the guard answers 401 as for every route.
    return auth(token?.scopes.includes('ingest') === true ? 'ingest' : 'gate')(c, next)
  }

  mount({ ...gateRoutes.decideGate, scope: 'none' }, async (c, { query }) => {
    let body: unknown
    try {
      body = await c.req.json()
    } catch (error) {
      return apiError(c, 400, 'invalid-json', `the body is not JSON: ${error instanceof Error ? error.message : String(error)}`, 'body')
    }
    const parsed = GateRequest.safeParse(body)
    if (!parsed.success) {
      const problem = zodProblem(parsed.error, 'body', body)
      return apiError(c, 400, 'invalid-body', problem.message, problem.path)
    }
    const { digests, policy: name } = parsed.data
    const environment = parsed.data.environment ?? null
    const policy = config.policies.find((candidate) => candidate.name === name)
    if (!policy) {
      const known = config.policies.map((candidate) => candidate.name).join(', ') || '(none configured)'
      return apiError(c, 422, 'unknown-policy', `body.policy: no policy named "${name}" is configured; known: ${known}`, 'body.policy')
    }
    if (!policy.gate) return apiError(c, 422, 'no-gate', `body.policy: policy "${name}" has no gate rules (add \`gate\` to it in the config file)`, 'body.policy')
    const rules = policy.gate
    // What is stored may not be judged yet (a pull connector's documents; an ingest request stored alongside others
    // leaves it to the last of them): the rules judge it first, so it counts here.
    if (rules.blockOnAlertsAtOrAbove !== undefined) await alertsUpToDate()

    // What every artifact of the release needs read once for all of them: one query a kind, not one an artifact.
    const kinds = new Set(rules.requiredAttestations.map((requirement) => (typeof requirement === 'string' ? requirement : requirement.kind)))
    const vsas = kinds.has('vsa') ? await store.gates.vsasFor(digests) : new Map<string, never[]>()
    const testResults = kinds.has('test-result') ? await store.gates.testResultsFor(digests) : new Map<string, never[]>()
    // Alerts are per project, and a release is mostly one or a few projects.
    const alertsByProject = new Map<string, Promise<OpenAlert[]>>()
    const openAlertsOf = (project: string, floor: AlertSeverity) => {
      let found = alertsByProject.get(project)
      if (found === undefined) {
        found = blockingAlerts(store, project, floor)
        alertsByProject.set(project, found)
      }
      return found
    }

    const artifacts = []
    const projects: Record<string, string | null> = {}
    for (const digest of digests) {
      const lookup = await store.artifacts.get(digest)
      const artifact = lookup.kind === 'found' ? lookup.artifact : null
      const project = artifact?.producedBy?.project ?? null
      projects[digest] = project
      const openAlerts = rules.blockOnAlertsAtOrAbove !== undefined && project !== null ? await openAlertsOf(project, rules.blockOnAlertsAtOrAbove) : []
      const deployments = environment !== null && rules.promotion[environment] !== undefined ? await store.gates.deploymentsOf(digest) : []
      const reasons = judgeArtifact({ digest, artifact, policy, rules, openAlerts, deployments, environment, vsas: vsas.get(digest) ?? [], testResults: testResults.get(digest) ?? [] })
      artifacts.push({ digest, decision: reasons.every((reason) => reason.ok) ? ('allow' as const) : ('deny' as const), reasons })
    }
    const decision = GateDecision.parse({
      id: randomBytes(32).toString('hex'),
      decidedAt: new Date(now()).toISOString(),
      // The auth guard has let the request through; with no token (reads open to all) the asker is anonymous.
      askedBy: tokenFor(config, c.req.header('authorization'))?.name ?? 'anonymous',
      decision: artifacts.every((artifact) => artifact.decision === 'allow') ? 'allow' : 'deny',
      policy: name,
      environment,
      artifacts,
      recorded: query.record,
    })
    if (query.record) await store.gates.record({ ...decision, projects })
    return c.json(decision, 200)
  }, decisionScope)

  mount(gateRoutes.listGateDecisions, async (c, { query }) => c.json(await store.gates.list(query)))

  return app
}

/** Open and acknowledged alerts (acknowledged is seen, not fixed: it blocks as open does) on a project at or above `floor`. */
async function blockingAlerts(store: Store, project: string, floor: AlertSeverity): Promise<OpenAlert[]> {
  const found: OpenAlert[] = []
  for (const severity of severitiesAtOrAbove(floor)) {
    for (const state of ['open', 'acknowledged'] as const) {
      const page = await store.alerts.list({ state, project, severity, sort: 'severity', limit: 20 })
      found.push(...page.items.map((alert) => ({ id: alert.id, severity: alert.severity, title: alert.title })))
    }
  }
  return found
}
