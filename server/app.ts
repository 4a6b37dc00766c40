import { createHash, timingSafeEqual } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { relative, join } from 'node:path'
import { serveStatic } from '@hono/node-server/serve-static'
import { Hono, type Context, type MiddlewareHandler } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { secureHeaders } from 'hono/secure-headers'
import type { z } from 'zod'
import { BuildQuery } from '../src/contract/builds'
import { BuildId } from '../src/contract/common'
import { openApiDocument } from '../src/contract/openapi'
import { ingestContext, type Config, type Scope } from './config'
import { exploreRoutes } from './explore/routes'
import { ingestBody } from './ingest/ingest'
import { reverifyAll } from './reverify'
import { StoreQueryError } from './store/errors'
import type { Store } from './store/types'
import { telemetryRoutes } from './telemetry/routes'

export type AppOptions = {
  store: Store
  config: Config
  version: string
  demo: boolean
  /** Folder of the built SPA; when absent, only the API is served. */
  staticDir?: string
  now?: () => number
}

type ErrorStatus = 400 | 401 | 403 | 404 | 413 | 415 | 422 | 500

export function apiError(c: Context, status: ErrorStatus, code: string, message: string, path?: string) {
  return c.json({ error: { code, message, ...(path ? { path } : {}) } }, status)
}

function zodProblem(error: z.ZodError, prefix: string): { message: string; path: string } {
  const issue = error.issues[0]
  const path = [prefix, ...(issue?.path ?? []).map(String)].join('.')
  return { message: `${path}: ${issue?.message ?? 'invalid'}`, path }
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest()

/** Finds the configured token whose SHA-256 matches, comparing in constant time. */
function tokenFor(config: Config, header: string | undefined) {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')
  if (!match?.[1]) return undefined
  const digest = sha256(match[1])
  return config.tokens.find((token) => timingSafeEqual(Buffer.from(token.sha256, 'hex'), digest))
}

function requireScope(config: Config, scope: Scope): MiddlewareHandler {
  return async (c, next) => {
    if (scope === 'read' && !config.readRequiresToken) return next()
    const header = c.req.header('authorization')
    if (!header) {
      c.header('WWW-Authenticate', 'Bearer')
      return apiError(c, 401, 'unauthenticated', `this request needs a bearer token with scope "${scope}" (Authorization: Bearer <token>)`, 'header.authorization')
    }
    const token = tokenFor(config, header)
    if (!token) {
      c.header('WWW-Authenticate', 'Bearer error="invalid_token"')
      return apiError(c, 401, 'invalid-token', 'the bearer token is not one this server knows', 'header.authorization')
    }
    if (!token.scopes.includes(scope)) {
      return apiError(c, 403, 'insufficient-scope', `token "${token.name}" has scope ${token.scopes.join(', ')}; this request needs "${scope}"`, 'header.authorization')
    }
    return next()
  }
}

/**
 * The Provenance API and the built SPA on one origin. Document content is attacker-controlled, so every
 * response carries a CSP that forbids inline script: even a rendering bug cannot run a payload.
 */
export function createApp(options: AppOptions): Hono {
  const { store, config } = options
  const now = options.now ?? Date.now
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

  app.get('/healthz', async (c) => c.json({ status: 'ok' as const, store: store.kind, documents: await store.countDocuments() }))

  const api = new Hono()
  api.get('/openapi.json', (c) => c.json(openApiDocument(options.version)))
  api.get('/v1/meta', (c) => c.json({ version: options.version, readRequiresToken: config.readRequiresToken, demo: options.demo, store: store.kind }))

  api.post(
    '/v1/attestations',
    requireScope(config, 'ingest'),
    bodyLimit({
      maxSize: config.maxBodyBytes,
      onError: (c) => apiError(c, 413, 'body-too-large', `the body is larger than the limit of ${config.maxBodyBytes} bytes (limits.maxBodyBytes)`),
    }),
    async (c) => {
      const contentType = c.req.header('content-type') ?? 'application/json'
      if (!/json/i.test(contentType)) {
        return apiError(c, 415, 'unsupported-media-type', `send application/json or application/x-ndjson, not ${contentType}`, 'header.content-type')
      }
      const body = Buffer.from(await c.req.arrayBuffer())
      const result = await ingestBody(store, body, contentType, ingestContext(config, now))
      if (!result.ok) return apiError(c, result.status, result.error.code, result.error.message, result.error.path)
      return c.json(result.body, result.status)
    },
  )

  api.get('/v1/builds', requireScope(config, 'read'), async (c) => {
    const parsed = BuildQuery.safeParse(c.req.query())
    if (!parsed.success) {
      const problem = zodProblem(parsed.error, 'query')
      return apiError(c, 400, 'invalid-query', problem.message, problem.path)
    }
    return c.json(await store.listBuilds(parsed.data))
  })

  api.get('/v1/builds/:id', requireScope(config, 'read'), async (c) => {
    const id = BuildId.safeParse(c.req.param('id'))
    if (!id.success) return apiError(c, 400, 'invalid-build-id', 'a build id is 64 lower-case hex characters', 'path.id')
    const build = await store.getBuild(id.data)
    if (!build) return apiError(c, 404, 'not-found', `no build with id ${id.data}`, 'path.id')
    return c.json(build)
  })

  api.post('/v1/reverify', requireScope(config, 'ingest'), async (c) => c.json(await reverifyAll(store, config)))

  api.get('/v1/policy', requireScope(config, 'read'), (c) => c.json({ policies: config.policies }))

  api.get('/v1/log/checkpoint', requireScope(config, 'read'), async (c) => c.json(await store.logCheckpoint()))

  api.get('/v1/projects', requireScope(config, 'read'), async (c) => c.json(await store.listProjects()))

  // CI telemetry: OTLP/HTTP at the root path exporters post to, webhooks and pipelines under /api.
  const telemetry = telemetryRoutes({ store, config, requireScope: (scope) => requireScope(config, scope) })
  api.route('/', telemetry.api)
  app.route('/', telemetry.otlp)

  // Artifact, signatures, rebuilds, reproducibility, build neighbours and search (issue 4).
  api.route('/', exploreRoutes({ store, requireScope: (scope) => requireScope(config, scope), now }))

  api.all('*', (c) => apiError(c, 404, 'not-found', `no API route ${c.req.method} ${c.req.path}`))
  app.route('/api', api)

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
