import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ApiErrorBody } from '../../src/contract/common'
import { VerifyResponse } from '../../src/contract/verify'
import { createApp } from '../app'
import { buildConfig } from '../config'
import { signEnvelope } from '../demo/seed'
import { newKey, slsaV1Statement, tempStore } from '../testing/documents'

/* POST /api/v1/verify over HTTP: the verdict ingest would give, judged against expectations, and nothing stored. */

const release = newKey('release', 'ecdsa-p256')
const other = newKey('other', 'ed25519')
const ARTIFACT = 'a'.repeat(64)
const READ_TOKEN = 'read-token'
const READ_SHA = '0328587016f9e316b9c31c94f944a2c453e1494a564062b5eab68039c75b58bf'

let app: ReturnType<typeof createApp>
let store: Awaited<ReturnType<typeof tempStore>>['store']
let dispose: () => Promise<void>

beforeAll(async () => {
  ;({ store, dispose } = await tempStore())
  const config = buildConfig(
    {
      trust: { keys: [{ id: release.id, publicKeyPem: release.publicKeyPem }, { id: other.id, publicKeyPem: other.publicKeyPem }] },
      policies: [{ name: 'release', repositories: ['https://github.com/example/*'], signers: [{ keyId: 'release' }], builders: ['https://github.com/actions/runner/*'] }],
    },
    'verify test',
    process.cwd(),
  )
  app = createApp({ store, config, version: 't', demo: false })
})
afterAll(async () => dispose())

const signed = (key = release, overrides: Parameters<typeof slsaV1Statement>[0] = {}) => JSON.stringify(signEnvelope(slsaV1Statement(overrides), key))

function post(body: string, query = '', headers: Record<string, string> = {}) {
  return app.request(`/api/v1/verify${query}`, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } })
}

async function verdict(body: string, query = ''): Promise<VerifyResponse> {
  const response = await post(body, query)
  const json: unknown = await response.json()
  expect(response.status, JSON.stringify(json)).toBe(200)
  return VerifyResponse.parse(json)
}

async function problem(body: string, query: string, status: number) {
  const response = await post(body, query)
  const json = ApiErrorBody.parse(await response.json())
  expect(response.status, JSON.stringify(json)).toBe(status)
  return json.error
}

const checks = (response: VerifyResponse) => response.verification.checks.map((check) => [check.name, check.ok])

describe('POST /api/v1/verify', () => {
  it('gives the verdict ingest gives, with the project policy, and stores nothing', async () => {
    const body = signed()
    const result = await verdict(body)
    expect(result.stored).toBe(false)
    expect(result.format).toBe('dsse')
    expect(result.verification.status).toBe('verified')
    expect(checks(result)).toEqual([
      ['payload-type', true],
      ['envelope-signature', true],
      ['signer-trusted', true],
      ['signer-identity', true],
      ['builder-id', true],
    ])
    expect(await store.documents.get(result.id)).toBeNull()
  })

  it('fails a document for another artifact when the expected digest is given, naming the check', async () => {
    const result = await verdict(signed(), `?digest=sha256:${'b'.repeat(64)}`)
    expect(result.verification).toMatchObject({ status: 'failed', failedCheck: 'artifact-digest' })
    expect(result.verification.checks[0]).toMatchObject({ name: 'artifact-digest', ok: false, actual: `subjects have sha256:${ARTIFACT}` })
    const right = await verdict(signed(), `?digest=sha256:${ARTIFACT.toUpperCase()}`)
    expect(right.verification.status).toBe('verified')
    expect(right.verification.checks.find((check) => check.name === 'artifact-digest')).toMatchObject({ ok: true })
  })

  it('judges the expected signer: a trusted key that is not the expected one fails signer-identity', async () => {
    const result = await verdict(signed(other, { repo: 'https://elsewhere.example/app' }), '?keyId=release')
    expect(result.verification).toMatchObject({ status: 'failed', failedCheck: 'signer-identity' })
    expect((await verdict(signed(other, { repo: 'https://elsewhere.example/app' }), '?keyId=other')).verification.status).toBe('verified')
  })

  it('applies a named policy whatever repository the document names', async () => {
    const result = await verdict(signed(other, { repo: 'https://elsewhere.example/app' }), '?policy=release')
    expect(result.verification).toMatchObject({ status: 'failed', failedCheck: 'signer-identity' })
  })

  it('refuses bad input with a 4xx naming what was wrong', async () => {
    expect(await problem(signed(), '?digest=sha256:abc', 400)).toMatchObject({ code: 'invalid-query', path: 'query.digest' })
    expect(await problem(signed(), '?digest=md5:' + 'a'.repeat(32), 400)).toMatchObject({ path: 'query.digest' })
    expect(await problem(signed(), '?identity=someone', 400)).toMatchObject({ code: 'invalid-query', path: 'query.issuer' })
    expect(await problem(signed(), '?keyId=nobody', 422)).toMatchObject({ code: 'unknown-key', path: 'query.keyId' })
    expect(await problem(signed(), '?policy=nope', 422)).toMatchObject({ code: 'unknown-policy', message: 'query.policy: no policy named "nope" is configured; known: release' })
    expect(await problem(signed(), '?colour=red', 400)).toMatchObject({ code: 'invalid-query' })
    expect(await problem(JSON.stringify({ name: 'app', version: '1.0.0', dependencies: {} }), '', 422)).toMatchObject({ code: 'unsupported-format', path: '$' })
    expect(await problem(JSON.stringify({ resourceSpans: [] }), '', 422)).toMatchObject({ code: 'wrong-endpoint' })
    expect(await problem('[1, 2]', '', 422)).toMatchObject({ code: 'unsupported-format', path: '$' })
    expect(await problem('{"payload": ', '', 400)).toMatchObject({ code: 'invalid-json' })
    expect(await problem('', '', 400)).toMatchObject({ code: 'empty-body' })
    expect(await problem(`${signed()}\n${signed(other)}`, '', 400)).toMatchObject({ code: 'one-document' })
    const text = await post(signed(), '', { 'content-type': 'text/csv' })
    expect(text.status).toBe(415)
  })

  it('needs a read token when reads require one', async () => {
    const { store: closed, dispose: disposeClosed } = await tempStore()
    try {
      const config = buildConfig(
        { auth: { readRequiresToken: true }, tokens: [{ name: 'reader', sha256: READ_SHA, scopes: ['read'] }], trust: { keys: [{ id: release.id, publicKeyPem: release.publicKeyPem }] } },
        'verify auth test',
        process.cwd(),
      )
      const locked = createApp({ store: closed, config, version: 't', demo: false })
      const request = (headers: Record<string, string>) =>
        locked.request('/api/v1/verify', { method: 'POST', body: signed(), headers: { 'content-type': 'application/json', ...headers } })
      expect((await request({})).status).toBe(401)
      expect((await request({ authorization: `Bearer ${READ_TOKEN}` })).status).toBe(200)
    } finally {
      await disposeClosed()
    }
  })
})
