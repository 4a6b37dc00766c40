import type { MiddlewareHandler } from 'hono'
import { unverifiedRunning } from '../../domain/deployment-provenance'
import { AlertPatch, alertRoutes, type Alert } from '../../src/contract/alerts'
import { overviewRoutes } from '../../src/contract/overview'
import { zodProblem } from '../../src/contract/route-spec'
import { tokenFor } from '../http/auth'
import type { RouteDeps } from '../http/deps'
import { apiError } from '../http/errors'
import { resourceApp } from '../http/mount'
import { alertEngine, type AlertEngine } from './engine'
import { webhookNotifier, type WebhookNotifier } from './webhook'

export type AlertsModule = {
  app: ReturnType<typeof resourceApp>['app']
  engine: AlertEngine
  /** The outgoing webhook, when `alerts.webhook` is configured. */
  webhook: WebhookNotifier | null
  /**
   * Put before the ingest routes: once a request has stored something, the rules look at it before it answers,
   * unless other ingest requests are being stored alongside it (then the last of them does, or the next one after
   * EVALUATE_EVERY_MS). Every read of alerts (here, the gate's, a report's) catches up first, so none lags the store.
   * A catch-up that fails is logged and left to the next request or read: the request still answers as stored.
   */
  afterIngest: MiddlewareHandler
}

/**
 * How often, at least, an ingest request has the rules judge what was stored while other requests are being stored
 * alongside it. Concurrent requests share one evaluation instead of one each: with 4 clients sending one document a
 * request, waiting for one each cost 1.05-1.09 ms of event-loop CPU a request against 0.93-0.94 ms (bench/formats.ts'
 * HTTP round, alternated runs). A new alert's webhook waits as long.
 */
const EVALUATE_EVERY_MS = 20

/** The alert queue and triage, and the evaluation that fills it. */
export function alertsModule({ store, config, auth, now }: RouteDeps): AlertsModule {
  const { app, mount } = resourceApp(auth)
  const webhook = config.alertWebhook ? webhookNotifier(config.alertWebhook, store, now) : null
  const engine = alertEngine(store, config, now, webhook ? (created: Alert[]) => webhook.notify(created) : undefined)

  // Ingest requests being stored now; whether one stored something no evaluation has judged yet; when the last began.
  let storing = 0
  let unjudged = false
  let evaluated = 0
  const afterIngest: MiddlewareHandler = async (c, next) => {
    storing++
    try {
      await next()
    } finally {
      storing--
    }
    if (c.req.method === 'POST' && c.res.status >= 200 && c.res.status < 300) unjudged = true
    // The last of the requests being stored at once has the rules judge what they all stored before it answers (the
    // others answer at once); under a steady stream, one request does every EVALUATE_EVERY_MS.
    if (!unjudged || (storing > 0 && performance.now() - evaluated < EVALUATE_EVERY_MS)) return
    unjudged = false
    evaluated = performance.now()
    try {
      await engine.catchUp()
    } catch (error) {
      // What was stored is on disk and its answer says so: a fault of the rules (or of the store while they read) is
      // not the upload's. The next ingest request or read of alerts tries again, and a read reports what fails.
      unjudged = true
      console.error(`provenance: ${c.req.method} ${c.req.path}: the alert rules could not judge what was stored; they try again at the next request`, error)
    }
  }

  // Reads first bring evaluation and waivers up to date, so what a person sees never lags what was stored.
  mount(alertRoutes.listAlerts, async (c, { query }) => {
    await engine.catchUp()
    return c.json(await store.alerts.list(query))
  })

  mount(alertRoutes.getAlert, async (c, { params }) => {
    await engine.catchUp()
    const alert = await store.alerts.get(params.id)
    return alert === null ? apiError(c, 404, 'not-found', `no alert with id ${params.id}`, 'path.id') : c.json(alert)
  })

  mount(alertRoutes.patchAlert, async (c, { params }) => {
    let body: unknown
    try {
      body = await c.req.json()
    } catch {
      return apiError(c, 400, 'invalid-json', 'the body is not JSON; send {"state": "acknowledged", "reason": "…"}', 'body')
    }
    const parsed = AlertPatch.safeParse(body)
    if (!parsed.success) {
      const problem = zodProblem(parsed.error, 'body', body)
      return apiError(c, 400, 'invalid-body', problem.message, problem.path)
    }
    // The auth guard has already accepted the token for scope triage; its name is who made the change.
    const actor = tokenFor(config, c.req.header('authorization'))?.name ?? 'unknown token'
    await engine.catchUp()
    const outcome = await store.alerts.transition(params.id, parsed.data, actor, now())
    if (!outcome.ok) return apiError(c, outcome.status, outcome.code, outcome.message, outcome.path)
    return c.json(outcome.alert)
  })

  // Reading every environment is the overview's dearest part, and what it counts changes only with new documents,
  // verdicts or deployments: it is read again when one of those moved (store.alerts.environmentsMark).
  let unverified: { mark: string; count: number } | null = null
  const unverifiedServices = async (): Promise<number> => {
    const mark = await store.alerts.environmentsMark()
    if (unverified?.mark !== mark) unverified = { mark, count: unverifiedRunning(await store.deployments.environments()) }
    return unverified.count
  }

  // The overview's open-alert counts come from the same evaluation, so it catches up first too.
  mount(overviewRoutes.getOverview, async (c, { query }) => {
    await engine.catchUp()
    const day = query.day ?? new Date(now()).toISOString().slice(0, 10)
    const overview = await store.alerts.overview(day, now())
    return c.json({ ...overview, unverifiedDeployments: await unverifiedServices() })
  })

  return { app, engine, afterIngest, webhook }
}
