import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { nodeTransport } from './node-transport'

const servers: Server[] = []

async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const server = createServer(handler)
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  }
})

describe('nodeTransport', () => {
  it('answers status, repeated headers and body as fetch would, and a 304 without a body', async () => {
    const base = await serve((request, response) => {
      if (request.headers['if-none-match'] === '"sha256:abc"') {
        response.writeHead(304, { etag: '"sha256:abc"' }).end()
        return
      }
      response.writeHead(200, [
        ['content-type', 'application/json'],
        ['link', '</v2/a/tags/list?last=b>; rel="next"'],
        ['x-seen', 'one'],
        ['x-seen', 'two'],
      ])
      response.end(JSON.stringify({ accept: request.headers.accept }))
    })
    const ok = await nodeTransport(`${base}/v2/a/tags/list`, { headers: { accept: 'application/json' }, timeoutMs: 5000 })
    expect(ok.status).toBe(200)
    expect(ok.headers.get('link')).toBe('</v2/a/tags/list?last=b>; rel="next"')
    expect(ok.headers.get('x-seen')).toBe('one, two')
    expect(ok.ok).toBe(true)
    expect(ok.headers.get('Content-Type')).toBe('application/json')
    expect(ok.headers.has('X-Seen')).toBe(true)
    expect(ok.headers.has('etag')).toBe(false)
    expect(JSON.parse(await ok.text())).toEqual({ accept: 'application/json' })
    const unchanged = await nodeTransport(`${base}/m`, { headers: { 'if-none-match': '"sha256:abc"' }, timeoutMs: 5000 })
    expect(unchanged.status).toBe(304)
    expect(unchanged.ok).toBe(false)
    expect(unchanged.headers.get('etag')).toBe('"sha256:abc"')
    expect(unchanged.body).toBeNull()
  })

  it('follows a redirect to storage, keeping the token on the same origin and dropping it on another', async () => {
    const seen: { path: string; headers: IncomingHttpHeaders }[] = []
    const storage = await serve((request, response) => {
      seen.push({ path: request.url ?? '', headers: request.headers })
      response.end('blob bytes')
    })
    const registry = await serve((request, response) => {
      seen.push({ path: request.url ?? '', headers: request.headers })
      if (request.url === '/v2/a/blobs/sha256:1') response.writeHead(307, { location: '/v2/a/blobs/moved' }).end()
      else response.writeHead(302, { location: `${storage}/bucket/object?signature=x` }).end()
    })
    const answer = await nodeTransport(`${registry}/v2/a/blobs/sha256:1`, { headers: { authorization: 'Bearer registry-token' }, timeoutMs: 5000 })
    expect(answer.status).toBe(200)
    expect(await answer.text()).toBe('blob bytes')
    expect(seen.map((entry) => [entry.path, entry.headers.authorization ?? null])).toEqual([
      ['/v2/a/blobs/sha256:1', 'Bearer registry-token'],
      ['/v2/a/blobs/moved', 'Bearer registry-token'],
      ['/bucket/object?signature=x', null],
    ])
  })

  it('rejects with a TimeoutError when no answer comes in time, and with the cause when nothing listens', async () => {
    const base = await serve((_request, response) => {
      // Headers sent, the body never finishes: the timeout covers the whole exchange.
      response.writeHead(200, { 'content-length': '100' })
      response.write('partial')
    })
    await expect(nodeTransport(`${base}/slow`, { timeoutMs: 200 })).rejects.toMatchObject({ name: 'TimeoutError' })
    const closed = await serve(() => undefined)
    const port = new URL(closed).port
    await new Promise((resolve) => servers.pop()?.close(resolve))
    await expect(nodeTransport(`http://127.0.0.1:${port}/v2/`, { timeoutMs: 2000 })).rejects.toThrow(/ECONNREFUSED/)
  })

  it('sends a request again on a fresh socket when the kept-alive one was closed under it', async () => {
    const perSocket = new WeakMap<object, number>()
    let requests = 0
    const base = await serve((request, response) => {
      requests++
      const count = (perSocket.get(request.socket) ?? 0) + 1
      perSocket.set(request.socket, count)
      // A server closing an idle connection just as the client reuses it: the second request on it gets no answer.
      if (count === 2) request.socket.destroy()
      else response.end(`ok ${request.url}`)
    })
    expect(await (await nodeTransport(`${base}/one`, { timeoutMs: 5000 })).text()).toBe('ok /one')
    expect(await (await nodeTransport(`${base}/two`, { timeoutMs: 5000 })).text()).toBe('ok /two')
    expect(requests).toBe(3)
  })
})
