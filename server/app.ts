import { Hono } from 'hono'
import { secureHeaders } from 'hono/secure-headers'
import { alertsModule } from './alerts/routes'
import { artifactsApp } from './artifacts/routes'
import { buildsApp } from './builds/routes'
import type { Config } from './config'
import { deploymentsApp } from './deployments/routes'
import { nodeIngestRoute } from './documents/node-ingest'
import { documentsApp } from './documents/routes'
import { bearerAuth } from './http/auth'
import { compressResponses } from './http/compression'
import type { RouteDeps } from './http/deps'
import { apiError, thrownAnswer } from './http/errors'
import { addNodeRoute, securityHeadersOf } from './http/node-routes'
import { serveSpa } from './http/static'
import { lineageApp } from './lineage/routes'
import { logApp } from './log/routes'
import { metaApp } from './meta/routes'
import type { OwnBuild } from '../src/contract/meta'
import { policyApp } from './policy/routes'
import { rebuildsApp } from './rebuilds/routes'
import { reportsApp } from './reports/routes'
import { searchApp } from './search/routes'
import { signaturesApp } from './signatures/routes'
import { sourcesApp } from './sources/routes'
import { SourceRunner } from './sources/runner'
import type { Store } from './store/types'
import { telemetryApp } from './telemetry/routes'
import { verifyApp } from './verify/routes'
import { gateApp } from './gate/routes'

export type AppOptions = {
  store: Store
  config: Config
  version: string
  demo: boolean
  /** Folder of the built SPA; when absent, only the API is served. */
  staticDir?: string
  now?: () => number
  /** Runs the configured sources; main.ts passes the one it schedules, otherwise syncs run on demand only. */
  sources?: SourceRunner
  /** The running program's files against its build-time provenance, compared by main.ts at start. */
  ownBuild?: OwnBuild
  /**
   * Given what must run on shutdown before the store closes (the alert webhook's queue: its retries go back to the
   * store for another server instead of staying leased to a stopped one); main.ts runs them on SIGTERM.
   */
  onStop?: (stop: () => Promise<void>) => void
}

/** Every answer's security headers. */
const SECURITY = {
  contentSecurityPolicy: {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'"],
    imgSrc: ["'self'", 'data:'],
    connectSrc: ["'self'"],
    objectSrc: ["'none'"],
    baseUri: ["'none'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
  },
  referrerPolicy: 'no-referrer',
  xContentTypeOptions: 'nosniff',
  xFrameOptions: 'DENY',
} satisfies Parameters<typeof secureHeaders>[0]

/**
 * The Provenance API and the built SPA on one origin: one small app a resource, each mounting the routes the
 * contract declares for it. Document content is attacker-controlled, so every response carries a CSP that
 * forbids inline script: even a rendering bug cannot run a payload.
 */
export function createApp(options: AppOptions): Hono {
  const { store, config } = options
  const deps: RouteDeps = { store, config, auth: bearerAuth(config), now: options.now ?? Date.now }
  const app = new Hono()

  app.use(secureHeaders(SECURITY))

  app.onError((error, c) => {
    const answer = thrownAnswer(error, c.req.method, c.req.path)
    if (answer.retryAfter !== undefined) c.header('retry-after', answer.retryAfter)
    return apiError(c, answer.status, answer.code, answer.message, answer.path)
  })

  // Lists and build records run to tens of kilobytes of JSON; a stored document's bytes are left as they are.
  app.use('/api/*', compressResponses())

  // The anomaly rules look at what each ingest request stored before it answers (deployments included), and at the
  // verdicts a re-verification changed.
  const alerts = alertsModule(deps)
  const { webhook } = alerts
  if (webhook !== null) options.onStop?.(() => webhook.stop())
  // How far the rules have judged is saved on the way out, so a restart does not judge those builds again.
  options.onStop?.(() => alerts.engine.stop())
  // One DSSE document a request at CI rates: answered from Node's request, without the app around it, when the app
  // would take it to the ingest handler (server/documents/node-ingest.ts); the rest comes here.
  addNodeRoute(app, nodeIngestRoute(deps, alerts.engine, securityHeadersOf(SECURITY)))
  for (const path of ['/api/v1/attestations', '/v1/traces', '/api/v1/webhooks/github', '/api/v1/deployments', '/api/v1/reverify']) app.use(path, alerts.afterIngest)

  for (const resource of [
    metaApp(deps, { version: options.version, demo: options.demo, ownBuild: options.ownBuild }),
    documentsApp(deps),
    buildsApp(deps),
    artifactsApp(deps),
    signaturesApp(deps),
    rebuildsApp(deps),
    searchApp(deps),
    logApp(deps),
    policyApp(deps),
    telemetryApp(deps),
    deploymentsApp(deps),
    lineageApp(deps),
    reportsApp(deps),
    verifyApp(deps),
    gateApp(deps),
    sourcesApp(deps, options.sources ?? new SourceRunner({ store, config, now: deps.now })),
    alerts.app,
  ]) {
    app.route('/', resource)
  }
  app.all('/api/*', (c) => apiError(c, 404, 'not-found', `no API route ${c.req.method} ${c.req.path}`))

  // The built SPA, pre-compressed, with the history fallback (server/http/static.ts).
  // Its first screen's page names that screen's data as a preload, unless reads need a token (the browser's preload
  // carries none), and for the day by this server's clock.
  const spa = options.staticDir ? serveSpa(options.staticDir, { now: deps.now, dataPreloads: !config.readRequiresToken }) : null
  if (spa) app.use('*', spa)
  app.notFound((c) => apiError(c, 404, 'not-found', `nothing at ${c.req.path}`))
  return app
}
