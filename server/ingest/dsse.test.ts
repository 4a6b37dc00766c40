import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { signEnvelope } from '../demo/seed'
import { newKey, slsaV1Statement } from '../testing/documents'
import { jsonMutation } from '../testing/mutation'
import { readEnvelope, readEnvelopeBySchema } from './dsse'
import { IngestError } from './errors'

// readEnvelope reads well-formed envelopes without the schema: it must read, or refuse, every value exactly as the
// schema does, tolerated `cert` hints included.

const key = newKey('dsse-shortcut', 'ecdsa-p256')
const envelope = signEnvelope(slsaV1Statement(), key)
const withCert = { ...envelope, signatures: [{ ...(envelope.signatures as object[])[0], cert: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n' }] }

function outcome(read: () => unknown): unknown {
  try {
    return read()
  } catch (error) {
    if (error instanceof IngestError) return { code: error.code, message: error.message, path: error.path }
    throw error
  }
}

describe('the well-formed shortcut of readEnvelope', () => {
  it.each([
    ['a plain envelope', envelope],
    ['an envelope with a cert hint', withCert],
  ])('reads, or refuses, %s with any one value changed as the schema does', (_, document) => {
    fc.assert(
      fc.property(jsonMutation(document), (mutated) => {
        expect(outcome(() => readEnvelope(mutated))).toEqual(outcome(() => readEnvelopeBySchema(mutated)))
      }),
      { numRuns: 200 },
    )
  }, 60_000)

  it('reads URL-safe, unpadded and wrapped base64, and empty or null hints, as the schema does', () => {
    const payload = Buffer.from(envelope.payload as string, 'base64')
    for (const variant of [
      { ...envelope, payload: payload.toString('base64url') },
      { ...envelope, payload: (envelope.payload as string).replace(/=+$/, '') },
      { ...envelope, payload: (envelope.payload as string).replace(/(.{76})/g, '$1\n') },
      { ...envelope, signatures: [{ sig: (envelope.signatures as { sig: string }[])[0]?.sig, cert: '' }, { keyid: '', sig: '', cert: null }] },
      { ...envelope, signatures: [] },
    ]) {
      expect(outcome(() => readEnvelope(variant))).toEqual(outcome(() => readEnvelopeBySchema(variant)))
    }
  })
})
