import { createHash } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'

/*
 * A small local HTTP server for the npm and GitHub connectors' tests: it answers recorded response bodies by
 * path, as the real service would (ETag and If-None-Match → 304, x-ratelimit-* headers), and can be told to
 * rate-limit a request, so the production connector runs unchanged with only its base URL pointing here.
 */

export type Recorded = { status?: number; body: Buffer | string; headers?: Record<string, string> }

export type ReplayServer = {
  url: string
  /** Answers `body` at `path` (path and query, as requested). */
  set(path: string, response: Recorded): void
  /** The body answered at `path`, as text. */
  body(path: string): string
  /** The next `times` requests to `path` get 403 with x-ratelimit-remaining: 0 and a reset `seconds` ahead. */
  rateLimit(path: string, times: number, seconds: number, status?: 403 | 429): void
  /** Every request, as `METHOD path (if-none-match)`. */
  log: string[]
  close(): Promise<void>
}

export async function startReplayServer(): Promise<ReplayServer> {
  const routes = new Map<string, Recorded>()
  const limits = new Map<string, { times: number; seconds: number; status: number }>()
  const log: string[] = []
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const path = request.url ?? '/'
    const ifNoneMatch = request.headers['if-none-match']
    log.push(`${request.method} ${path}${ifNoneMatch ? ` (${ifNoneMatch})` : ''}`)
    const limit = limits.get(path)
    if (limit && limit.times > 0) {
      limit.times--
      const reset = Math.ceil(Date.now() / 1000) + limit.seconds
      const headers: Record<string, string> = { 'x-ratelimit-limit': '60', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset), 'content-type': 'application/json' }
      if (limit.status === 429) headers['retry-after'] = String(limit.seconds)
      response.writeHead(limit.status, headers).end('{"message":"API rate limit exceeded"}')
      return
    }
    const recorded = routes.get(path)
    if (recorded === undefined) {
      response.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"Not Found"}')
      return
    }
    const body = typeof recorded.body === 'string' ? Buffer.from(recorded.body) : recorded.body
    const etag = `"${createHash('sha256').update(body).digest('hex').slice(0, 32)}"`
    if (ifNoneMatch === etag) {
      response.writeHead(304, { etag, 'x-ratelimit-remaining': '59' }).end()
      return
    }
    response.writeHead(recorded.status ?? 200, { 'content-type': 'application/json', etag, 'x-ratelimit-limit': '60', 'x-ratelimit-remaining': '59', ...recorded.headers }).end(body)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  if (typeof address !== 'object' || address === null) throw new Error('the replay server has no address')
  return {
    url: `http://127.0.0.1:${address.port}`,
    set: (path, response) => void routes.set(path, response),
    body: (path) => {
      const recorded = routes.get(path)
      if (recorded === undefined) throw new Error(`nothing recorded at ${path}`)
      return recorded.body.toString()
    },
    rateLimit: (path, times, seconds, status = 403) => void limits.set(path, { times, seconds, status }),
    log,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}
