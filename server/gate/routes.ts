import { randomBytes } from 'node:crypto'
import { GateDecision, GateRequest, gateRoutes } from '../../src/contract/gate'
import { zodProblem } from '../../src/contract/route-spec'
import type { RouteDeps } from '../http/deps'
import { tokenFor } from '../http/auth'
import { apiError } from '../http/errors'
import { resourceApp } from '../http/mount'
import { judgeArtifact, severitiesAtOrAbove, type OpenAlert } from './decide'

/**
 * The release gate: may these artifacts be promoted under this policy? Allow only when every rule passes for each.
 * Every answer is recorded (who asked, when, for what, the answer) and listed at GET /api/v1/gate/decisions.
 */
export function gateApp({ store, config, auth, now }: RouteDeps) {
  const { app, mount } = resourceApp(auth)

  mount(gateRoutes.decideGate, async (c) => {
    let body: unknown
    try {
      body = await c.req.json()
    } catch (error) {
      return apiError(c, 400, 'invalid-json', `the body is not JSON: ${error instanceof Error ? error.message : String(error)}`, 'body')
    }
    const parsed = GateRequest.safeParse(body)
    if (!parsed.success) {
      const problem = zodProblem(parsed.error, 'body')
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

    const artifacts = []
    const projects: Record<string, string | null> = {}
    for (const digest of digests) {
      const lookup = await store.artifacts.get(digest)
      const artifact = lookup.kind === 'found' ? lookup.artifact : null
      const project = artifact?.producedBy?.project ?? null
      projects[digest] = project
      const openAlerts: OpenAlert[] = []
      if (rules.blockOnAlertsAtOrAbove !== undefined && project !== null) {
        for (const severity of severitiesAtOrAbove(rules.blockOnAlertsAtOrAbove)) {
          // Acknowledged is seen, not fixed: it blocks as open does.
          for (const state of ['open', 'acknowledged'] as const) {
            const page = await store.alerts.list({ state, project, severity, sort: 'severity', limit: 20 })
            openAlerts.push(...page.items.map((alert) => ({ id: alert.id, severity: alert.severity, title: alert.title })))
          }
        }
      }
      const deployments = environment !== null && rules.promotion[environment] !== undefined ? await store.gates.deploymentsOf(digest) : []
      const reasons = judgeArtifact({ digest, artifact, policy, rules, openAlerts, deployments, environment })
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
    })
    await store.gates.record({ ...decision, projects })
    return c.json(decision, 200)
  })

  mount(gateRoutes.listGateDecisions, async (c, { query }) => c.json(await store.gates.list(query)))

  return app
}
