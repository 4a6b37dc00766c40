import { createHash } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import { serve, type ServerType } from '@hono/node-server'
import { afterAll, describe, expect, it } from 'vitest'
import { createApp } from '../app'
import { buildConfig } from '../config'
import { signEnvelope } from '../demo/seed'
import { nodeServer } from '../http/node-routes'
import { engineStores } from '../store/testing/engines'
import { newKey, slsaV1Statement } from '../testing/documents'

/*
 * POST /api/v1/attestations answered from Node's request (node-ingest.ts) in front of the app: the same answers and
 * headers as the app's route, each of many concurrent requests its own answer, and the app still answering what
 * the node route declines.
 */

const engines = engineStores('node-ingest')
const key = newKey('node-ingest', 'ecdsa-p256')
const stranger = newKey('node-ingest-stranger', 'ecdsa-p256')
const token = 'node-ingest-token'
const readOnly = 'node-ingest-read'
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex')
const config = buildConfig(
  {
    trust: { keys: [{ id: key.id, publicKeyPem: key.publicKeyPem }] },
    tokens: [
      { name: 'ci', sha256: sha256(token), scopes: ['ingest'] },
      { name: 'reader', sha256: sha256(readOnly), scopes: ['read'] },
    ],
  },
  'test',
)

const servers: ServerType[] = []
afterAll(async () => {
  for (const server of servers) await new Promise((resolve) => server.close(resolve))
})

async function started(kind: 'sqlite' | 'postgres') {
  const app = createApp({ store: await engines.fresh(kind), config, version: 'test', demo: false })
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1', createServer: nodeServer(app) })
  servers.push(server)
  await new Promise((resolve) => server.once('listening', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/attestations`
  return { app, url }
}

const envelope = (n: number, signer = key) => JSON.stringify(signEnvelope(slsaV1Statement({ repo: `https://github.com/example/node-${n}`, sha256: n.toString(16).padStart(64, '0') }), signer))
const post = (url: string, body: string, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers }, body })

/** Headers that say nothing about one answer in particular. */
const stable = (headers: Headers) => Object.fromEntries([...headers.entries()].filter(([name]) => !['date', 'content-length', 'connection', 'keep-alive'].includes(name)))

type Answer = { documents: { id: string; created: boolean; verification: { status: string } }[] }

describe.each(['sqlite', 'postgres'] as const)('node ingest route on %s', (kind) => {
  it('answers as the app does, with its headers', async () => {
    const { app, url } = await started(kind)
    // ECDSA signatures differ each time: one body, sent twice below.
    const first = envelope(1)
    const fast = await post(url, first)
    // The same request through the app (no node server in front).
    const viaApp = await app.request('/api/v1/attestations', { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: envelope(2) })
    expect(fast.status).toBe(201)
    expect(viaApp.status).toBe(201)
    expect(stable(fast.headers)).toEqual(stable(viaApp.headers))
    expect(fast.headers.get('content-security-policy')).toContain("frame-ancestors 'none'")
    const [fastBody, appBody] = [(await fast.json()) as Answer, (await viaApp.json()) as Answer]
    expect(fastBody.documents[0]).toMatchObject({ id: sha256(first), created: true, verification: { status: 'verified' } })
    expect(Object.keys(fastBody.documents[0] ?? {}).sort()).toEqual(Object.keys(appBody.documents[0] ?? {}).sort())
    // Sent again: already stored, 200, as the app answers.
    const again = await post(url, first)
    expect(again.status).toBe(200)
    expect(((await again.json()) as Answer).documents[0]?.created).toBe(false)
  })

  it('gives each of many concurrent requests its own answer, a bad one failing alone', async () => {
    const { url } = await started(kind)
    const bodies: { body: string; status: number; verdict: string | null; code?: string }[] = [
      ...Array.from({ length: 10 }, (_, n) => ({ body: envelope(100 + n), status: 201, verdict: 'verified' })),
      { body: '{"payloadType": ', status: 400, verdict: null, code: 'invalid-json' },
      { body: envelope(200, stranger), status: 201, verdict: 'untrusted' },
      { body: JSON.stringify({ hello: 'world' }), status: 422, verdict: null, code: 'unsupported-format' },
    ]
    const answers = await Promise.all(bodies.map(async ({ body }) => post(url, body)))
    for (const [index, answer] of answers.entries()) {
      const expected = bodies[index]!
      expect(answer.status, `request ${index}`).toBe(expected.status)
      const json = (await answer.json()) as Answer & { error?: { code: string } }
      if (expected.verdict === null) {
        expect(json.error?.code, `request ${index}`).toBe(expected.code)
        continue
      }
      expect(json.documents).toHaveLength(1)
      expect(json.documents[0]).toMatchObject({ id: sha256(expected.body), created: true, verification: { status: expected.verdict } })
      // Stored: the app serves its bytes back.
      const stored = await fetch(url.replace('/attestations', `/documents/${sha256(expected.body)}`))
      expect(stored.status).toBe(200)
      expect(await stored.text()).toBe(expected.body)
    }
  })

  it('leaves the app to answer what it declines: no token, a token without ingest, another content type', async () => {
    const { url } = await started(kind)
    const anonymous = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: envelope(300) })
    expect(anonymous.status).toBe(401)
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer')
    expect(((await anonymous.json()) as { error: { code: string } }).error.code).toBe('unauthenticated')
    const reader = await post(url, envelope(301), { authorization: `Bearer ${readOnly}` })
    expect(reader.status).toBe(403)
    const text = await post(url, envelope(302), { 'content-type': 'text/plain' })
    expect(text.status).toBe(415)
    expect(text.headers.get('content-security-policy')).toContain("default-src 'self'")
  })
})
