import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ApiErrorBody } from '../../src/contract/common'
import { DocumentVerification } from '../../src/contract/documents'
import { openResourceApp, type ResourceApp } from '../testing/resource-app'

/* A stored document as a download (its bytes, whose SHA-256 is its id) and its verdict, over HTTP. */

let store: ResourceApp['store']
let app: ResourceApp['app']
let ids: ResourceApp['ids']
let dispose: ResourceApp['dispose']

beforeAll(async () => {
  ;({ store, app, ids, dispose } = await openResourceApp())
})
afterAll(async () => dispose())

const buildId = () => ids.buildIds.b4 ?? ''

describe('GET /api/v1/documents/{id}', () => {
  it('answers the bytes exactly as stored, as an attachment, with their SHA-256 in ETag and Repr-Digest', async () => {
    const response = await app.request(`/api/v1/documents/${buildId()}`)
    expect(response.status).toBe(200)
    const bytes = Buffer.from(await response.arrayBuffer())
    const sha256 = createHash('sha256').update(bytes).digest()
    expect(sha256.toString('hex')).toBe(buildId())
    expect(Buffer.from((await store.documents.get(buildId()))?.raw ?? []).equals(bytes)).toBe(true)
    expect(response.headers.get('content-type')).toBe('application/octet-stream')
    expect(response.headers.get('content-disposition')).toBe(`attachment; filename="${buildId()}.dsse.json"`)
    expect(response.headers.get('x-content-type-options')).toBe('nosniff')
    expect(response.headers.get('etag')).toBe(`"sha256-${buildId()}"`)
    expect(response.headers.get('repr-digest')).toBe(`sha-256=:${sha256.toString('base64')}:`)
  })
})

describe('GET /api/v1/documents/{id}/verification', () => {
  it("answers the document's verdict with every check", async () => {
    const response = await app.request(`/api/v1/documents/${buildId()}/verification`)
    expect(response.status).toBe(200)
    const verdict = DocumentVerification.parse(await response.json())
    expect(verdict).toMatchObject({ id: buildId(), sha256: buildId(), format: 'dsse', verification: { status: 'failed', failedCheck: 'envelope-signature' } })
    expect(verdict.verification.checks.length).toBeGreaterThan(0)
  })
})

describe('bad input', () => {
  it('answers 400 invalid-document-id naming path.id, and 404 for an id nothing has', async () => {
    for (const suffix of ['', '/verification']) {
      for (const bad of ['abc', 'Z'.repeat(64), `${'a'.repeat(63)}`, 'A'.repeat(64)]) {
        const response = await app.request(`/api/v1/documents/${bad}${suffix}`)
        const body = ApiErrorBody.parse(await response.json())
        expect(response.status, bad).toBe(400)
        expect(body.error).toMatchObject({ code: 'invalid-document-id', path: 'path.id' })
      }
      const response = await app.request(`/api/v1/documents/${'0'.repeat(64)}${suffix}`)
      const body = ApiErrorBody.parse(await response.json())
      expect(response.status).toBe(404)
      expect(body.error).toMatchObject({ code: 'not-found', path: 'path.id' })
    }
  })
})
