import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerOptions, type ServerResponse } from 'node:http'
import type { Hono } from 'hono'
import { secureHeaders } from 'hono/secure-headers'
import { chooseEncoding, COMPRESS_THRESHOLD, encodeBody } from './compression'
import { errorBody, thrownAnswer } from './errors'

/*
 * A route answered from Node's request and response directly, in front of the Hono app, for the requests it takes
 * whole (POST /api/v1/attestations at CI rates: server/documents/node-ingest.ts). Under @hono/node-server every
 * request becomes a web Request and its answer a web Response, and the app's middleware runs around the handler;
 * for one DSSE document a request, that cost the event loop about 0.3 ms of the 1.5-1.8 ms it spent per request.
 * A route declines (answers false) anything it does not answer exactly as the app would, which then goes to the
 * app: missing or wrong tokens, other content types, bodies without a declared length.
 */

/** Takes the request and answers it (true), or leaves it untouched for the app (false). */
export type NodeRoute = (request: IncomingMessage, response: ServerResponse) => boolean

const routesOf = new WeakMap<Hono, NodeRoute[]>()

/** Serves `route` in front of `app` on servers made by `nodeServer(app)`. */
export function addNodeRoute(app: Hono, route: NodeRoute): void {
  routesOf.set(app, [...(routesOf.get(app) ?? []), route])
}

/** For @hono/node-server's `serve({ createServer })`: an HTTP server whose requests reach `app`'s node routes first. */
export function nodeServer(app: Hono): typeof createServer {
  const make = (options: ServerOptions, listener?: RequestListener): Server => {
    const routes = routesOf.get(app) ?? []
    return createServer(options, (request, response) => {
      for (const route of routes) if (route(request, response)) return
      listener?.(request, response)
    })
  }
  return make as typeof createServer
}

/** The security headers of every answer (the app's secureHeaders middleware, given the same options). */
export type SecurityHeaders = Promise<[string, string][]>

/** The headers `secureHeaders(options)` sets, found once by asking it. */
export async function securityHeadersOf(options: Parameters<typeof secureHeaders>[0]): SecurityHeaders {
  const { Hono } = await import('hono')
  const probe = new Hono()
  probe.use(secureHeaders(options))
  probe.get('/', (c) => c.body(null))
  const answer = await probe.request('/')
  return [...answer.headers.entries()].filter(([name]) => name !== 'content-type' && name !== 'content-length')
}

/**
 * Sends a JSON answer as the app would: its security headers, its length, compressed as the compression middleware
 * would for a client that accepts it (answers under its threshold as they are), varying on Accept-Encoding.
 */
export async function sendJson(request: IncomingMessage, response: ServerResponse, status: number, text: string, security: SecurityHeaders, extra: Record<string, string> = {}): Promise<void> {
  const headers: Record<string, string> = Object.fromEntries(await security)
  let body: Buffer = Buffer.from(text)
  const coding = body.byteLength < COMPRESS_THRESHOLD ? 'identity' : chooseEncoding(request.headers['accept-encoding'], ['br', 'gzip'])
  if (coding !== 'identity') {
    body = await encodeBody(body, coding)
    headers['content-encoding'] = coding
  }
  response.writeHead(status, { ...headers, ...extra, 'content-type': 'application/json', 'content-length': String(body.byteLength), vary: 'Accept-Encoding' })
  response.end(body)
}

/** Answers what a node route's work threw, as the app's onError would. */
export function sendThrown(request: IncomingMessage, response: ServerResponse, error: unknown, path: string, security: SecurityHeaders): Promise<void> {
  const answer = thrownAnswer(error, request.method ?? 'POST', path)
  const extra: Record<string, string> = answer.retryAfter === undefined ? {} : { 'retry-after': answer.retryAfter }
  return sendJson(request, response, answer.status, JSON.stringify(errorBody(answer.code, answer.message, answer.path)), security, extra)
}
