/**
 * The browser benches' web server: the built SPA from dist/ (or BENCH_DIST) and canned API answers, so a bench
 * measures the page and not a database. Any path without an extension is a client route and gets index.html; an
 * API path the bench does not answer is a 404 in the API's error shape, so a page asking for more than the bench
 * stubs fails visibly instead of waiting.
 */
import { readFile } from 'node:fs/promises'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { loadavg } from 'node:os'
import { extname, join, normalize } from 'node:path'
import { fileURLToPath } from 'node:url'
import { buildIfStale } from '../scripts/build-if-stale.mjs'

const types: Record<string, string> = { '.js': 'text/javascript', '.css': 'text/css', '.html': 'text/html', '.svg': 'image/svg+xml', '.map': 'application/json' }

/** The SPA to serve: BENCH_DIST when set (another build, served as it is), else dist/, built first when stale. */
export function benchDist(): string {
  const given = process.env.BENCH_DIST
  if (given !== undefined) return given
  buildIfStale()
  return fileURLToPath(new URL('../dist', import.meta.url))
}

/** An API answer's body for a path (JSON text), or undefined for a 404. */
export type StubbedApi = (path: string) => string | undefined

export type StaticSpa = { base: string; close: () => Promise<void> }

export async function serveSpa(dist: string, api: StubbedApi): Promise<StaticSpa> {
  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname
    if (path.startsWith('/api/')) {
      const body = api(path)
      response.writeHead(body === undefined ? 404 : 200, { 'content-type': 'application/json' })
      response.end(body ?? JSON.stringify({ error: { code: 'not-found', message: `the bench stubs no ${path}` } }))
      return
    }
    const file = normalize(join(dist, path))
    const asset = file.startsWith(dist) && extname(file) !== '' ? file : join(dist, 'index.html')
    try {
      const content = await readFile(asset)
      response.writeHead(200, { 'content-type': types[extname(asset)] ?? 'application/octet-stream' })
      response.end(content)
    } catch {
      response.writeHead(404).end()
    }
  }
  const server = createServer((request, response) => void handle(request, response))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  return {
    base: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

/** The machine's load average (1, 5, 15 minutes), printed beside every figure: on a shared machine it moves them most. */
export function loadAverage(): string {
  return loadavg()
    .map((load) => load.toFixed(1))
    .join(' ')
}
