import { createHash, createPublicKey } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { IngestResponse } from '../src/contract/attestations'
import { BuildDetail, BuildPage } from '../src/contract/builds'
import { ApiErrorBody } from '../src/contract/common'
import { LogCheckpoint } from '../src/contract/log'
import { PolicyList } from '../src/contract/policy'
import { openApiDocument } from '../src/contract/openapi'
import { createApp } from './app'
import { buildConfig } from './config'
import { openCheckpoint, verifierKey } from './log/checkpoint'
import { signEnvelope } from './demo/seed'
import { newKey, slsaV1Statement, tempStore } from './testing/documents'
import type { Store } from './store/types'

const key = newKey('ci-release', 'ecdsa-p256')
const tokenHash = (secret: string) => createHash('sha256').update(secret).digest('hex')
const config = buildConfig(
  {
    trust: { keys: [{ id: key.id, publicKeyPem: key.publicKeyPem }] },
    tokens: [
      { name: 'ci', sha256: tokenHash('ingest-secret'), scopes: ['ingest'] },
      { name: 'viewer', sha256: tokenHash('read-secret'), scopes: ['read'] },
    ],
    limits: { maxBodyBytes: 64 * 1024 },
  },
  'test config',
)
const ingestHeaders = { authorization: 'Bearer ingest-secret', 'content-type': 'application/json' }

let store: Store
let dispose: () => Promise<void>
let app: ReturnType<typeof createApp>

beforeAll(async () => {
  ;({ store, dispose } = await tempStore())
  app = createApp({ store, config, version: '0.0.0-test', demo: false })
})
afterAll(async () => dispose())

const post = (body: string, headers: Record<string, string> = ingestHeaders) =>
  app.request('/api/v1/attestations', { method: 'POST', body, headers })
const errorOf = async (response: Response) => ApiErrorBody.parse(await response.json()).error

describe('POST /api/v1/attestations', () => {
  it('stores a signed SLSA v1 provenance, verified, and lists its build', async () => {
    const envelope = JSON.stringify(signEnvelope(slsaV1Statement({ repo: 'https://github.com/example/listed' }), key))
    const response = await post(envelope)
    expect(response.status).toBe(201)
    const body = IngestResponse.parse(await response.json())
    const document = body.documents[0]
    expect(document).toMatchObject({ created: true, format: 'dsse', verification: { status: 'verified', failedCheck: null } })
    expect(document?.id).toBe(createHash('sha256').update(envelope).digest('hex'))
    expect(document?.subjects).toEqual([{ name: 'app-linux-amd64', digest: { sha256: 'a'.repeat(64) } }])

    const list = BuildPage.parse(await (await app.request('/api/v1/builds?project=example/listed')).json())
    expect(list.items.map((build) => [build.id, build.status, build.sourceCommit])).toEqual([[document?.buildId, 'verified', 'c'.repeat(40)]])
    const detail = BuildDetail.parse(await (await app.request(`/api/v1/builds/${document?.buildId}`)).json())
    expect(detail.statement).toContain('"predicateType": "https://slsa.dev/provenance/v1"')
    expect(detail.document.size).toBe(Buffer.byteLength(envelope))
  })

  it('returns the same record, not a duplicate, for the same document posted twice', async () => {
    const envelope = JSON.stringify(signEnvelope(slsaV1Statement({ repo: 'https://github.com/example/twice' }), key))
    const first = IngestResponse.parse(await (await post(envelope)).json())
    const again = await post(envelope)
    expect(again.status).toBe(200)
    const second = IngestResponse.parse(await again.json())
    expect(second.documents[0]).toMatchObject({ id: first.documents[0]?.id, created: false })
    const list = BuildPage.parse(await (await app.request('/api/v1/builds?project=example/twice')).json())
    expect(list.items).toHaveLength(1)
  })

  it('stores a document whose signature was altered, as failed, naming the check', async () => {
    const envelope = signEnvelope(slsaV1Statement({ repo: 'https://github.com/example/tampered' }), key) as { signatures: { sig: string }[] }
    const sig = Buffer.from(envelope.signatures[0]!.sig, 'base64')
    sig[12]! ^= 0x01
    envelope.signatures[0]!.sig = sig.toString('base64')
    const response = await post(JSON.stringify(envelope))
    expect(response.status).toBe(201)
    const body = IngestResponse.parse(await response.json())
    expect(body.documents[0]?.verification).toMatchObject({ status: 'failed', failedCheck: 'envelope-signature' })
    const list = BuildPage.parse(await (await app.request('/api/v1/builds?status=failed&project=example/tampered')).json())
    expect(list.items[0]).toMatchObject({ status: 'failed', failedCheck: 'envelope-signature' })
  })

  it('stores the good lines of a JSONL body and reports each bad line by number', async () => {
    const good = JSON.stringify(signEnvelope(slsaV1Statement({ repo: 'https://github.com/example/jsonl' }), key))
    const response = await post(`${good}\n{"payloadType":"x","payload":"%%%","signatures":[]}\nnot json\n`, {
      ...ingestHeaders,
      'content-type': 'application/x-ndjson',
    })
    expect(response.status).toBe(201)
    const body = IngestResponse.parse(await response.json())
    expect(body.documents.map((document) => [document.line, document.verification.status])).toEqual([[1, 'verified']])
    expect(body.errors.map((error) => [error.line, error.code, error.path])).toEqual([
      [2, 'invalid-base64', 'line 2: $.payload'],
      [3, 'invalid-json', 'line 3: $'],
    ])
  })

  it('rejects malformed input with what was wrong and where, storing nothing', async () => {
    const before = await store.documents.count()
    const broken = await post('{"payloadType": "application/vnd.in-toto+json",\n  "payload": }')
    expect(broken.status).toBe(400)
    expect(await errorOf(broken)).toMatchObject({ code: 'invalid-json', message: expect.stringContaining('line 2') })
    const notDsse = await post('{"kind":"hashedrekord"}')
    expect(notDsse.status).toBe(422)
    expect(await errorOf(notDsse)).toMatchObject({ code: 'unsupported-format', message: expect.stringContaining('kind') })
    const tooBig = await post(JSON.stringify({ padding: 'x'.repeat(70 * 1024) }))
    expect(tooBig.status).toBe(413)
    expect(await errorOf(tooBig)).toMatchObject({ code: 'body-too-large' })
    const wrongType = await post('x', { ...ingestHeaders, 'content-type': 'text/plain' })
    expect(wrongType.status).toBe(415)
    expect(await store.documents.count()).toBe(before)
  })

  it('needs a token with the ingest scope', async () => {
    const envelope = JSON.stringify(signEnvelope(slsaV1Statement(), key))
    const anonymous = await post(envelope, { 'content-type': 'application/json' })
    expect(anonymous.status).toBe(401)
    expect(await errorOf(anonymous)).toMatchObject({ code: 'unauthenticated', path: 'header.authorization' })
    const wrong = await post(envelope, { ...ingestHeaders, authorization: 'Bearer nope' })
    expect(wrong.status).toBe(401)
    const readOnly = await post(envelope, { ...ingestHeaders, authorization: 'Bearer read-secret' })
    expect(readOnly.status).toBe(403)
    expect((await errorOf(readOnly)).message).toContain('needs "ingest"')
  })
})

describe('GET /api/v1/builds', () => {
  it('pages with a cursor and rejects a bad one or a bad filter with a 400 naming the parameter', async () => {
    const first = BuildPage.parse(await (await app.request('/api/v1/builds?limit=2')).json())
    expect(first.items).toHaveLength(2)
    expect(first.nextCursor).not.toBeNull()
    const second = BuildPage.parse(await (await app.request(`/api/v1/builds?limit=2&cursor=${first.nextCursor}`)).json())
    expect(second.items[0]?.id).not.toBe(first.items[0]?.id)
    const badCursor = await app.request('/api/v1/builds?cursor=garbage')
    expect(badCursor.status).toBe(400)
    expect(await errorOf(badCursor)).toMatchObject({ code: 'invalid-cursor', path: 'query.cursor' })
    const badStatus = await app.request('/api/v1/builds?status=green')
    expect(badStatus.status).toBe(400)
    expect(await errorOf(badStatus)).toMatchObject({ path: 'query.status' })
    const missing = await app.request(`/api/v1/builds/${'0'.repeat(64)}`)
    expect(missing.status).toBe(404)
  })

  it('needs a read token when the config says so', async () => {
    const locked = createApp({ store, config: { ...config, readRequiresToken: true }, version: 't', demo: false })
    expect((await locked.request('/api/v1/builds')).status).toBe(401)
    expect((await locked.request('/api/v1/builds', { headers: { authorization: 'Bearer read-secret' } })).status).toBe(200)
    expect((await locked.request('/api/v1/builds', { headers: { authorization: 'Bearer ingest-secret' } })).status).toBe(403)
    const meta = await (await locked.request('/api/v1/meta')).json()
    expect(meta).toMatchObject({ readRequiresToken: true })
  })
})

describe('the HTTP surface', () => {
  it('sends a CSP without inline script, nosniff and a referrer policy on every response', async () => {
    for (const path of ['/healthz', '/api/v1/builds', '/api/nowhere']) {
      const response = await app.request(path)
      expect(response.headers.get('content-security-policy')).toMatch(/script-src 'self'(;|$)/)
      expect(response.headers.get('x-content-type-options')).toBe('nosniff')
      expect(response.headers.get('referrer-policy')).toBe('no-referrer')
    }
    const unknown = await app.request('/api/nowhere')
    expect(unknown.status).toBe(404)
    expect(await errorOf(unknown)).toMatchObject({ code: 'not-found' })
  })

  it('publishes the contract as OpenAPI 3.1, and docs/openapi.json is up to date (npm run openapi rewrites it)', async () => {
    const served = await (await app.request('/api/openapi.json')).json()
    expect(served).toMatchObject({ openapi: '3.1.0', paths: { '/api/v1/builds': { get: { operationId: 'listBuilds' } } } })
    const committed = JSON.parse(readFileSync(new URL('../docs/openapi.json', import.meta.url), 'utf8'))
    const { info: _servedInfo, ...current } = openApiDocument('committed')
    const { info: _committedInfo, ...onDisk } = committed
    expect(onDisk).toEqual(current)
  })
})

describe('GET /api/v1/log/checkpoint', () => {
  it('returns a signed checkpoint covering every stored document', async () => {
    const response = await app.request('/api/v1/log/checkpoint')
    const checkpoint = LogCheckpoint.parse(await response.json())
    expect(checkpoint.size).toBe(await store.documents.count())
    const opened = openCheckpoint(checkpoint.note, verifierKey(checkpoint.origin, createPublicKey(checkpoint.publicKeyPem)))
    expect(opened?.rootHash.toString('hex')).toBe(checkpoint.rootHash)
  })
})

describe('GET /api/v1/policy', () => {
  it('shows the policies in force', async () => {
    const withPolicy = createApp({
      store,
      config: buildConfig({ policies: [{ name: 'acme', repositories: ['https://github.com/acme/*'], toolchain: { go: '1.23.4' } }] }, 'test'),
      version: 't',
      demo: false,
    })
    const body = PolicyList.parse(await (await withPolicy.request('/api/v1/policy')).json())
    expect(body.policies).toEqual([
      { name: 'acme', repositories: ['https://github.com/acme/*'], signers: [], requiredChecks: [], builders: [], buildTypes: [], toolchain: { go: '1.23.4' }, allowedHosts: [] },
    ])
  })
})
