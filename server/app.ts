import { existsSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { serveStatic } from '@hono/node-server/serve-static'
import { Hono } from 'hono'
import { secureHeaders } from 'hono/secure-headers'
import { artifactsApp } from './artifacts/routes'
import { buildsApp } from './builds/routes'
import type { Config } from './config'
import { documentsApp } from './documents/routes'
import { bearerAuth } from './http/auth'
import type { RouteDeps } from './http/deps'
import { apiError } from './http/errors'
import { logApp } from './log/routes'
import { metaApp } from './meta/routes'
import { policyApp } from './policy/routes'
import { rebuildsApp } from './rebuilds/routes'
import { searchApp } from './search/routes'
import { signaturesApp } from './signatures/routes'
import { StoreQueryError } from './store/errors'
import type { Store } from './store/types'
import { telemetryApp } from './telemetry/routes'

export type AppOptions = {
  store: Store
  config: Config
  version: string
  demo: boolean
  /** Folder of the built SPA; when absent, only the API is served. */
  staticDir?: string
  now?: () => number
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
    console.error(error)
    return apiError(c, 500, 'internal', 'the server failed to answer; the error is in its log')
  })

  for (const resource of [
    metaApp(deps, { version: options.version, demo: options.demo }),
    documentsApp(deps),
    buildsApp(deps),
    artifactsApp(deps),
    signaturesApp(deps),
    rebuildsApp(deps),
    searchApp(deps),
    logApp(deps),
    policyApp(deps),
    telemetryApp(deps),
  ]) {
    app.route('/', resource)
  }
  app.all('/api/*', (c) => apiError(c, 404, 'not-found', `no API route ${c.req.method} ${c.req.path}`))

  const staticDir = options.staticDir
  if (staticDir && existsSync(join(staticDir, 'index.html'))) {
    const root = relative(process.cwd(), staticDir) || '.'
    const index = readFileSync(join(staticDir, 'index.html'), 'utf8')
    app.use(
      '/assets/*',
      serveStatic({ root, onFound: (_path, c) => void c.header('Cache-Control', 'public, max-age=31536000, immutable') }),
    )
    app.use('*', serveStatic({ root }))
    // History fallback: every other GET is a route of the SPA.
    app.get('*', (c) => {
      c.header('Cache-Control', 'no-cache')
      return c.html(index)
    })
  }
  app.notFound((c) => apiError(c, 404, 'not-found', `nothing at ${c.req.path}`))
  return app
}
