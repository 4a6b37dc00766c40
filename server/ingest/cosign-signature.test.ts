import { sign } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { IngestResponse } from '../../src/contract/attestations'
import { tempStore, newKey } from '../testing/documents'
import { ingestBody } from './ingest'
import { loadPublicKey } from './keys'
import { cosignSignatureFromLayer } from './cosign-signature'

/*
 * cosign image signatures (`cosign download signature` output, and the OCI connector's `.sig` layers) through
 * the one ingest path: the verdict, the image they are about, and the errors that name the field.
 */

const key = newKey('release', 'ecdsa-p256')
const image = `sha256:${'ab'.repeat(32)}`
const payloadOf = (digest: string, type = 'cosign container image signature') =>
  Buffer.from(JSON.stringify({ critical: { identity: { 'docker-reference': 'registry.example/acme/web' }, image: { 'docker-manifest-digest': digest }, type }, optional: { creator: 'cosign' } }))

function downloaded(payload: Buffer, signature: Buffer, extra: Record<string, unknown> = {}) {
  return { Base64Signature: signature.toString('base64'), Payload: payload.toString('base64'), Cert: null, Chain: null, Bundle: null, ...extra }
}

async function ingest(document: unknown) {
  const { store, dispose } = await tempStore()
  try {
    const result = await ingestBody(store, Buffer.from(JSON.stringify(document)), 'application/json', { keys: [loadPublicKey(key.id, key.publicKeyPem)], now: () => Date.parse('2026-12-01T00:00:00Z') })
    if (!result.ok) return { error: result.error }
    return { body: IngestResponse.parse(result.body) }
  } finally {
    await dispose()
  }
}

describe('cosign image signatures', () => {
  it('verifies a signature by a trusted key over the payload, about the image the payload names', async () => {
    const payload = payloadOf(image)
    const { body } = await ingest(downloaded(payload, sign('sha256', payload, key.privateKey)))
    const document = body?.documents[0]
    expect(document?.format).toBe('cosign-signature')
    expect(document?.verification.status).toBe('verified')
    expect(document?.verification.checks.map((check) => [check.name, check.ok])).toEqual([
      ['payload-type', true],
      ['image-signature', true],
      ['signer-trusted', true],
    ])
    expect(document?.subjects).toEqual([{ name: 'registry.example/acme/web', digest: { sha256: 'ab'.repeat(32) } }])
  })

  it('never verifies a signature over other bytes, and fails a payload that is not an image signature', async () => {
    const altered = await ingest(downloaded(payloadOf(image), sign('sha256', payloadOf(`sha256:${'cd'.repeat(32)}`), key.privateKey)))
    // No keyid names the key, so a signature no trusted key verifies cannot be told from a stranger's.
    expect(altered.body?.documents[0]?.verification.status).toBe('untrusted')
    const wrongType = payloadOf(image, 'atomic container signature')
    const typed = await ingest(downloaded(wrongType, sign('sha256', wrongType, key.privateKey)))
    expect(typed.body?.documents[0]?.verification).toMatchObject({ status: 'failed', failedCheck: 'payload-type' })
    expect(typed.body?.documents[0]?.verification.checks[0]).toMatchObject({ name: 'payload-type', expected: 'cosign container image signature', actual: 'atomic container signature' })
  })

  it('says a keyless signature is not checked here, never verified or failed', async () => {
    const payload = payloadOf(image)
    const other = newKey('fulcio-leaf', 'ecdsa-p256')
    const { body } = await ingest(downloaded(payload, sign('sha256', payload, other.privateKey), { Cert: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n' }))
    const verification = body?.documents[0]?.verification
    expect(verification?.status).toBe('unverifiable')
    expect(verification?.checks.find((check) => check.name === 'image-signature')?.notJudged).toMatch(/Sigstore certificate \(keyless cosign signing\)/)
  })

  it('refuses what names no image, or is not base64, saying where', async () => {
    const noDigest = await ingest(downloaded(Buffer.from(JSON.stringify({ critical: { image: {}, type: 'cosign container image signature' } })), Buffer.from('sig')))
    expect(noDigest.error).toMatchObject({ code: 'invalid-cosign-signature', path: '$.Payload.critical.image.docker-manifest-digest' })
    const notJson = await ingest(downloaded(Buffer.from('not json'), Buffer.from('sig')))
    expect(notJson.error).toMatchObject({ code: 'invalid-cosign-signature', path: '$.Payload' })
    const badBase64 = await ingest({ Base64Signature: '***', Payload: payloadOf(image).toString('base64') })
    expect(badBase64.error).toMatchObject({ code: 'invalid-base64', path: '$.Base64Signature' })
  })

  it('reads a .sig layer as cosign download signature prints it', () => {
    const payload = payloadOf(image)
    expect(cosignSignatureFromLayer(payload, { 'dev.cosignproject.cosign/signature': 'c2ln', 'dev.sigstore.cosign/bundle': '{"SignedEntryTimestamp":"x"}' })).toEqual({
      Base64Signature: 'c2ln',
      Payload: payload.toString('base64'),
      Cert: null,
      Chain: null,
      Bundle: { SignedEntryTimestamp: 'x' },
    })
    expect(cosignSignatureFromLayer(payload, {})).toBeNull()
  })
})
