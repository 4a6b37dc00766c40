import fc from 'fast-check'
import { jsonMutation } from '../testing/mutation'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../app'
import { buildConfig } from '../config'
import { signEnvelope } from '../demo/seed'
import { newKey, slsaV1Statement, tempStore } from '../testing/documents'
import type { Store } from '../store/types'
import { IngestError } from './errors'
import { prepareDocument } from './ingest'
import { loadPublicKey } from './keys'

const key = newKey('prop', 'ed25519')
const context = { keys: [loadPublicKey(key.id, key.publicKeyPem)], now: Date.now }
const valid = signEnvelope(slsaV1Statement(), key)

/** Runs the reader and reports how it ended: only a result or an IngestError are acceptable. */
function outcome(raw: Buffer): 'ok' | 'ingest-error' {
  try {
    prepareDocument(raw, context)
    return 'ok'
  } catch (error) {
    if (error instanceof IngestError) return 'ingest-error'
    throw error
  }
}


describe('the document reader under arbitrary input', () => {
  it('throws nothing but IngestError for any JSON value', () => {
    fc.assert(fc.property(fc.jsonValue(), (value) => void outcome(Buffer.from(JSON.stringify(value)))), { numRuns: 500 })
  })

  it('throws nothing but IngestError for any bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => void outcome(Buffer.from(bytes))), { numRuns: 500 })
  })

  // A timeout is a guard here, not a budget: with the machine shared, this property took 4-5 s of a 5 s default.
  it('throws nothing but IngestError for a signed envelope with any part replaced, including its decoded payload', { timeout: 30_000 }, () => {
    const statement = slsaV1Statement()
    fc.assert(
      fc.property(jsonMutation(valid), jsonMutation(statement), fc.boolean(), (mutatedEnvelope, mutatedStatement, inPayload) => {
        const document = inPayload ? { ...valid, payload: Buffer.from(JSON.stringify(mutatedStatement) ?? '').toString('base64') } : mutatedEnvelope
        void outcome(Buffer.from(JSON.stringify(document) ?? ''))
      }),
      { numRuns: 1000 },
    )
  })

  it('refuses JSON nested deeper than the limit, saying where, without a stack overflow escaping', () => {
    expect(outcome(Buffer.from('['.repeat(100_000) + ']'.repeat(100_000)))).toBe('ingest-error')
    // Opened and never closed: JSON.parse refuses it before any depth is reached, and locating the error must not overflow.
    expect(outcome(Buffer.from('['.repeat(100_000)))).toBe('ingest-error')
    const deep = `${'{"a":'.repeat(70)}1${'}'.repeat(70)}`
    expect(() => prepareDocument(Buffer.from(deep), context)).toThrow(expect.objectContaining({ code: 'too-deep', path: `$${'.a'.repeat(64)}` }))
  })
})

describe('POST /api/v1/attestations under arbitrary bodies', () => {
  let store: Store
  let dispose: () => Promise<void>
  beforeAll(async () => ({ store, dispose } = await tempStore()))
  afterAll(async () => dispose())

  it('never answers 5xx', async () => {
    const config = buildConfig({ tokens: [{ name: 'ci', sha256: 'a'.repeat(64), scopes: ['ingest'] }] }, 'test')
    const app = createApp({ store, config, version: 't', demo: false })
    // The token's secret is unknown, so sign in with a config whose hash we know.
    const known = buildConfig(
      { tokens: [{ name: 'ci', sha256: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08', scopes: ['ingest'] }] },
      'test',
    )
    const open = createApp({ store, config: known, version: 't', demo: false })
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.jsonValue().map((value) => JSON.stringify(value)), fc.string(), fc.array(fc.jsonValue().map((value) => JSON.stringify(value))).map((lines) => lines.join('\n'))),
        fc.constantFrom('application/json', 'application/x-ndjson', 'text/plain', ''),
        async (body, contentType) => {
          const response = await open.request('/api/v1/attestations', {
            method: 'POST',
            body,
            headers: { authorization: 'Bearer test', ...(contentType ? { 'content-type': contentType } : {}) },
          })
          expect(response.status).toBeLessThan(500)
          const unauthorised = await app.request('/api/v1/attestations', { method: 'POST', body })
          expect(unauthorised.status).toBe(401)
        },
      ),
      { numRuns: 300 },
    )
    // Bodies no generator above makes: opened far deeper than any parser recurses, and never closed.
    for (const body of ['['.repeat(20_000), `{"payload":${'['.repeat(20_000)}`, `${'['.repeat(20_000)}\n{}`]) {
      for (const contentType of ['application/json', 'application/x-ndjson']) {
        const response = await open.request('/api/v1/attestations', { method: 'POST', body, headers: { authorization: 'Bearer test', 'content-type': contentType } })
        // Refused (a JSONL batch of bad lines with 422, each line's error listed), saying why in words.
        expect([400, 422], `${body.slice(0, 12)} as ${contentType}`).toContain(response.status)
        expect(await response.text()).toContain('nested too deeply to say where')
      }
    }
  })
})
