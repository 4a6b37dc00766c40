import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ApiErrorBody } from '../../src/contract/common'
import { VerifyResponse } from '../../src/contract/verify'
import { createApp } from '../app'
import { buildConfig } from '../config'
import { signEnvelope } from '../demo/seed'
import { corpusDir, describeWithCorpus } from '../testing/corpus'
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

  it('trusts an inline PEM key for this verification only, as the CLI’s --key', async () => {
    const stranger = newKey('stranger', 'ed25519')
    const elsewhere = { repo: 'https://elsewhere.example/app' }
    const body = signed(stranger, elsewhere)
    expect((await verdict(body)).verification.status).toBe('untrusted')
    const withKey = await verdict(body, `?key=${encodeURIComponent(stranger.publicKeyPem)}&digest=sha256:${ARTIFACT}`)
    expect(withKey.verification).toMatchObject({ status: 'verified', failedCheck: null })
    expect(checks(withKey)).toEqual(expect.arrayContaining([['envelope-signature', true], ['signer-identity', true], ['artifact-digest', true]]))
    // Another key than the one given: a trusted signature, but not by the expected signer.
    const wrong = await verdict(signed(other, elsewhere), `?key=${encodeURIComponent(stranger.publicKeyPem)}`)
    expect(wrong.verification).toMatchObject({ status: 'failed', failedCheck: 'signer-identity' })
    // Trusted for that one request: the next, without it, is untrusted again, and nothing was stored.
    expect((await verdict(body)).verification.status).toBe('untrusted')
    expect(await store.documents.get(withKey.id)).toBeNull()
    expect(await problem(body, `?key=${encodeURIComponent('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n')}`, 400)).toMatchObject({
      code: 'invalid-key',
      path: 'query.key',
      message: expect.stringMatching(/^query\.key: not a usable public key: /),
    })
    expect(await problem(body, '?key=ssh-ed25519%20AAAA', 400)).toMatchObject({ code: 'invalid-query', path: 'query.key' })
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

const MANAGED = '2-dsse-sigstore-bundles/sigstore-conformance-suite/managed-key-and-trusted-root'

describeWithCorpus(
  'POST /api/v1/verify with an inline key, on a Sigstore bundle signed by a managed key',
  () => {
    it('verifies the conformance case with its key given inline, and not without it', async () => {
      const { store: own, dispose: disposeOwn } = await tempStore()
      try {
        const config = buildConfig({ trust: { trustedRoots: [join(corpusDir, MANAGED, 'trusted_root.json')] } }, 'managed key test', process.cwd())
        const server = createApp({ store: own, config, version: 't', demo: false })
        const bundle = readFileSync(join(corpusDir, MANAGED, 'bundle.sigstore.json'))
        const artifact = `sha256:${createHash('sha256').update(readFileSync(join(corpusDir, MANAGED, '..', 'a.txt'))).digest('hex')}`
        const ask = async (query: string) => {
          const response = await server.request(`/api/v1/verify${query}`, { method: 'POST', body: bundle, headers: { 'content-type': 'application/json' } })
          expect(response.status).toBe(200)
          return VerifyResponse.parse(await response.json()).verification
        }
        const key = encodeURIComponent(readFileSync(join(corpusDir, MANAGED, 'key.pub'), 'utf8'))
        expect(await ask(`?key=${key}&digest=${artifact}`)).toMatchObject({ status: 'verified' })
        expect((await ask(`?digest=${artifact}`)).status).not.toBe('verified')
        expect(await ask(`?key=${key}&digest=sha256:${'0'.repeat(64)}`)).toMatchObject({ status: 'failed', failedCheck: 'artifact-digest' })
      } finally {
        await disposeOwn()
      }
    })
  },
  { needs: MANAGED },
)
