import { createHash } from 'node:crypto'
import { brotliDecompressSync, gunzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { IngestResponse } from '../../src/contract/attestations'
import { BuildPage } from '../../src/contract/builds'
import { createApp } from '../app'
import { buildConfig } from '../config'
import { signEnvelope } from '../demo/seed'
import type { Store } from '../store/types'
import { newKey, slsaV1Statement, tempStore } from '../testing/documents'
import { chooseEncoding } from './compression'

describe('chooseEncoding', () => {
  it('prefers Brotli, then gzip, by q-value, and falls back to identity', () => {
    expect(chooseEncoding('gzip, deflate, br, zstd', ['br', 'gzip'])).toBe('br')
    expect(chooseEncoding('gzip, deflate, br', ['gzip'])).toBe('gzip')
    expect(chooseEncoding('br;q=0.4, gzip;q=0.8', ['br', 'gzip'])).toBe('gzip')
    expect(chooseEncoding('BR;Q=1, GZIP', ['br', 'gzip'])).toBe('br')
    expect(chooseEncoding('x-gzip', ['br', 'gzip'])).toBe('gzip')
    expect(chooseEncoding('*', ['br', 'gzip'])).toBe('br')
    expect(chooseEncoding('*;q=0, gzip', ['br', 'gzip'])).toBe('gzip')
    expect(chooseEncoding('deflate, identity', ['br', 'gzip'])).toBe('identity')
    expect(chooseEncoding('br;q=0, gzip;q=0', ['br', 'gzip'])).toBe('identity')
    expect(chooseEncoding(undefined, ['br', 'gzip'])).toBe('identity')
    expect(chooseEncoding('', ['br', 'gzip'])).toBe('identity')
    expect(chooseEncoding('br, gzip', [])).toBe('identity')
  })
})

const key = newKey('ci-release', 'ed25519')
const config = buildConfig(
  {
    trust: { keys: [{ id: key.id, publicKeyPem: key.publicKeyPem }] },
    tokens: [{ name: 'ci', sha256: createHash('sha256').update('ingest-secret').digest('hex'), scopes: ['ingest'] }],
  },
  'test config',
)

let store: Store
let dispose: () => Promise<void>
let app: ReturnType<typeof createApp>
let documentId = ''
let envelope = ''

beforeAll(async () => {
  ;({ store, dispose } = await tempStore())
  app = createApp({ store, config, version: '0.0.0-test', demo: false })
  for (let index = 0; index < 12; index++) {
    envelope = JSON.stringify(signEnvelope(slsaV1Statement({ repo: `https://github.com/example/compressed-${index}`, sha256: index.toString(16).padStart(64, 'b') }), key))
    const response = await app.request('/api/v1/attestations', {
      method: 'POST',
      body: envelope,
      headers: { authorization: 'Bearer ingest-secret', 'content-type': 'application/json' },
    })
    expect(response.status).toBe(201)
    documentId = IngestResponse.parse(await response.json()).documents[0]?.id ?? ''
  }
})
afterAll(async () => dispose())

const get = (path: string, headers: Record<string, string> = {}) => app.request(path, { headers })

describe('API responses', () => {
  it('compresses a large list with Brotli or gzip as asked, to the same JSON as uncompressed', async () => {
    const plain = await get('/api/v1/builds?limit=12')
    expect(plain.headers.get('content-encoding')).toBeNull()
    expect(plain.headers.get('vary')).toContain('Accept-Encoding')
    const text = await plain.text()
    expect(BuildPage.parse(JSON.parse(text)).items).toHaveLength(12)
    expect(Buffer.byteLength(text)).toBeGreaterThan(4096)

    const br = await get('/api/v1/builds?limit=12', { 'accept-encoding': 'gzip, deflate, br' })
    expect(br.headers.get('content-encoding')).toBe('br')
    expect(br.headers.get('content-type')).toMatch(/^application\/json/)
    expect(br.headers.get('vary')).toContain('Accept-Encoding')
    const brBytes = Buffer.from(await br.arrayBuffer())
    expect(Number(br.headers.get('content-length'))).toBe(brBytes.byteLength)
    expect(brBytes.byteLength).toBeLessThan(Buffer.byteLength(text) / 2)
    expect(brotliDecompressSync(brBytes).toString()).toBe(text)

    const gz = await get('/api/v1/builds?limit=12', { 'accept-encoding': 'gzip' })
    expect(gz.headers.get('content-encoding')).toBe('gzip')
    expect(gunzipSync(Buffer.from(await gz.arrayBuffer())).toString()).toBe(text)
  })

  it('leaves a response under the threshold as it is', async () => {
    const response = await get('/api/v1/builds?limit=1&project=example/compressed-3', { 'accept-encoding': 'br, gzip' })
    expect(response.status).toBe(200)
    const body = await response.text()
    expect(Buffer.byteLength(body)).toBeLessThan(4096)
    expect(response.headers.get('content-encoding')).toBeNull()
    expect(BuildPage.parse(JSON.parse(body)).items).toHaveLength(1)
  })

  it('answers an ingest (a small answer, one per upload) uncompressed, whatever the client accepts', async () => {
    const body = JSON.stringify(signEnvelope(slsaV1Statement({ repo: 'https://github.com/example/compressed-answer', sha256: 'c'.repeat(64) }), key))
    const response = await app.request('/api/v1/attestations', {
      method: 'POST',
      body,
      headers: { authorization: 'Bearer ingest-secret', 'content-type': 'application/json', 'accept-encoding': 'br, gzip' },
    })
    expect(response.status).toBe(201)
    expect(response.headers.get('content-encoding')).toBeNull()
    expect(response.headers.get('vary')).toContain('Accept-Encoding')
    expect(IngestResponse.parse(await response.json()).documents[0]?.created).toBe(true)
  })

  it('sends a stored document as its exact bytes whatever the client accepts, so its digest headers stay true', async () => {
    const response = await get(`/api/v1/documents/${documentId}`, { 'accept-encoding': 'br, gzip' })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-encoding')).toBeNull()
    const bytes = Buffer.from(await response.arrayBuffer())
    expect(bytes.toString()).toBe(envelope)
    expect(response.headers.get('etag')).toBe(`"sha256-${documentId}"`)
    expect(response.headers.get('repr-digest')).toBe(`sha-256=:${createHash('sha256').update(bytes).digest('base64')}:`)
  })
})
