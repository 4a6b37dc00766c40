import { Hono } from 'hono'
import { secureHeaders } from 'hono/secure-headers'
import { alertsModule } from './alerts/routes'
import { artifactsApp } from './artifacts/routes'
import { buildsApp } from './builds/routes'
import type { Config } from './config'
import { deploymentsApp } from './deployments/routes'
import { documentsApp } from './documents/routes'
import { bearerAuth } from './http/auth'
import { compressResponses } from './http/compression'
import type { RouteDeps } from './http/deps'
import { apiError } from './http/errors'
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
import { STORE_UNAVAILABLE_MESSAGE, isStoreUnavailable } from './coordination/unavailable'
import { StoreQueryError } from './store/errors'
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

/**
 * The Provenance API and the built SPA on one origin: one small app a resource, each mounting the routes the
 * contract declares for it. Document content is attacker-controlled, so every response carries a CSP that
 * forbids inline script: even a rendering bug cannot run a payload.
 */
export function createApp(options: AppOptions): Hono {
  const { store, config } = options
  const deps: RouteDeps = { store, config, auth: bearerAuth(config), now: options.now ?? Date.now }
  const app = new Hono()

  app.use(
    secureHeaders({
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
    }),
  )

  app.onError((error, c) => {
    if (error instanceof StoreQueryError) return apiError(c, 400, error.code, error.message, `query.${error.path}`)
    if (isStoreUnavailable(error)) {
      // PostgreSQL restarting or out of reach: a retry will do; the pool reconnects by itself.
      console.error(`provenance: ${c.req.method} ${c.req.path}: the database cannot be reached: ${error.message}`)
      c.header('retry-after', '5')
      return apiError(c, 503, 'store-unavailable', STORE_UNAVAILABLE_MESSAGE)
    }
    console.error(error)
    return apiError(c, 500, 'internal', 'the server failed to answer; the error is in its log')
  })

  // Lists and build records run to tens of kilobytes of JSON; a stored document's bytes are left as they are.
  app.use('/api/*', compressResponses())

  // The anomaly rules judge what ingest requests store (deployments included) before a request stored alone answers,
  // or the last of those stored alongside each other; and the verdicts a re-verification changed. Whatever reads
  // alerts has them catch up first.
  const alerts = alertsModule(deps)
  const alertsUpToDate = () => alerts.engine.catchUp()
  const { webhook } = alerts
  if (webhook !== null) options.onStop?.(() => webhook.stop())
  // How far the rules have judged is saved on the way out, so a restart does not judge those builds again.
  options.onStop?.(() => alerts.engine.stop())
  for (const path of ['/api/v1/attestations', '/v1/traces', '/api/v1/webhooks/github', '/api/v1/deployments', '/api/v1/reverify']) app.use(path, alerts.afterIngest)
  // A source's sync stores through no request: the rules judge what it stored once it is done (new alerts reach the
  // webhook then, not at the next read).
  const sources = options.sources ?? new SourceRunner({ store, config, now: deps.now })
  sources.onStored(alertsUpToDate)

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
    reportsApp(deps, alertsUpToDate),
    verifyApp(deps),
    gateApp(deps, alertsUpToDate),
    sourcesApp(deps, sources),
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
