import { request } from 'node:http'
import { serve, type ServerType } from '@hono/node-server'
import { Hono } from 'hono'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readRequestBody } from './request-body'

const LIMIT = 1000

/** Answers with the body as read (its length and text), or 413 past the limit. */
const app = new Hono().post('/', async (c) => {
  const body = await readRequestBody(c, LIMIT)
  if (body === null) return c.json({ tooLarge: true }, 413)
  return c.json({ length: body.byteLength, text: body.toString('utf8') })
})

describe('readRequestBody', () => {
  let server: ServerType
  let port = 0
  beforeAll(async () => {
    server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' })
    await new Promise((resolve) => server.once('listening', resolve))
    const address = server.address()
    port = typeof address === 'object' && address ? address.port : 0
  })
  afterAll(() => new Promise((resolve) => server.close(resolve)))

  /** Posts `chunks` over Node's HTTP (chunked when no length is given), answering status and parsed JSON. */
  const post = (chunks: string[], length?: number) =>
    new Promise<{ status: number; json: unknown }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/', headers: length === undefined ? {} : { 'content-length': length } }, (response) => {
        const parts: Buffer[] = []
        response.on('data', (part: Buffer) => parts.push(part))
        response.on('end', () => resolve({ status: response.statusCode ?? 0, json: JSON.parse(Buffer.concat(parts).toString('utf8')) }))
      })
      req.on('error', reject)
      for (const chunk of chunks) req.write(chunk)
      req.end()
    })

  it('reads a body from Node whole, in several chunks, as sent', async () => {
    const chunks = ['{"a":', '"é', 'x"}']
    const text = chunks.join('')
    expect(await post(chunks, Buffer.byteLength(text))).toEqual({ status: 200, json: { length: Buffer.byteLength(text), text } })
    expect(await post(chunks)).toEqual({ status: 200, json: { length: Buffer.byteLength(text), text } })
  })

  it('refuses a declared length over the limit, and a chunked body that grows past it', async () => {
    expect(await post(['x'.repeat(LIMIT + 1)], LIMIT + 1)).toEqual({ status: 413, json: { tooLarge: true } })
    expect(await post(['x'.repeat(600), 'y'.repeat(600)])).toEqual({ status: 413, json: { tooLarge: true } })
    // Exactly the limit is accepted.
    expect(await post(['z'.repeat(LIMIT)])).toMatchObject({ status: 200, json: { length: LIMIT } })
  })

  it('reads the web stream where there is no Node request (app.request)', async () => {
    const ok = await app.request('/', { method: 'POST', body: 'hello' })
    expect(await ok.json()).toEqual({ length: 5, text: 'hello' })
    const big = await app.request('/', { method: 'POST', body: 'x'.repeat(LIMIT + 1) })
    expect(big.status).toBe(413)
  })
})
