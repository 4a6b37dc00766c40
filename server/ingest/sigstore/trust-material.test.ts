import { generateKeyPairSync } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { IngestError } from '../errors'
import { loadSigstoreTrust } from './trust-material'

const thrown = (run: () => unknown): IngestError => {
  try {
    run()
  } catch (error) {
    if (error instanceof IngestError) return error
    throw error
  }
  throw new Error('expected an IngestError')
}

const mediaType = 'application/vnd.dev.sigstore.trustedroot+json;version=0.1'

describe('loadSigstoreTrust', () => {
  it('names the bad field of a trusted root first in its message, since the config error shows only the message', () => {
    expect(() => loadSigstoreTrust([[]], [])).toThrow('trustedRoots[0]: read as a Sigstore trusted root: expected an object, found an array')
    expect(() => loadSigstoreTrust([{ mediaType: 'x' }], [])).toThrow(
      'trustedRoots[0].mediaType: read as a Sigstore trusted root: expected application/vnd.dev.sigstore.trustedroot+json;version=0.1 (or v0.2), found "x"',
    )
    expect(() => loadSigstoreTrust([{ mediaType, tlogs: [{ logId: { keyId: 'AAAA' }, publicKey: { rawBytes: 'AAAA' } }] }], [])).toThrow(
      /^trustedRoots\[0\]\.tlogs\[0\]\.publicKey\.rawBytes: read as a Sigstore trusted root: not a public key/,
    )
    expect(() => loadSigstoreTrust([{ mediaType, ctlogs: {} }], [])).toThrow('trustedRoots[0].ctlogs: read as a Sigstore trusted root: expected an array, found an object')
  })

  it.each([
    ['a log id that is not an object', { tlogs: [{ logId: 'x', publicKey: { rawBytes: 'AAAA' } }] }, 'invalid-trusted-root', 'trustedRoots[0].tlogs[0].logId'],
    ['a checkpoint key id that is not base64', { tlogs: [{ logId: { keyId: 'AAAA' }, checkpointKeyId: { keyId: 'b!' } }] }, 'invalid-base64', 'trustedRoots[0].tlogs[0].checkpointKeyId.keyId'],
    ['a certificate that is not base64', { certificateAuthorities: [{ certChain: { certificates: [{ rawBytes: 'b!' }] } }] }, 'invalid-base64', 'trustedRoots[0].certificateAuthorities[0].certChain.certificates[0].rawBytes'],
    ['a certificate that is not DER', { certificateAuthorities: [{ certChain: { certificates: [{ rawBytes: 'AAAA' }] } }] }, 'invalid-trusted-root', 'trustedRoots[0].certificateAuthorities[0].certChain.certificates[0].rawBytes'],
    ['a certificate that is not an object', { timestampAuthorities: [{ certChain: { certificates: ['x'] } }] }, 'invalid-trusted-root', 'trustedRoots[0].timestampAuthorities[0].certChain.certificates[0]'],
    ['a certificate authority without certificates', { certificateAuthorities: [{ certChain: { certificates: [] } }] }, 'invalid-trusted-root', 'trustedRoots[0].certificateAuthorities[0].certChain.certificates'],
  ])('refuses %s with %s at %s', (_, root, code, path) => {
    expect(thrown(() => loadSigstoreTrust([{ mediaType, ...root }], []))).toMatchObject({ code, path, message: expect.stringMatching(/^trustedRoots\[0\]/) })
  })

  it('refuses a validity time that is not RFC 3339, and a log key without validFor.start, naming the field', () => {
    const rawBytes = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'der' }).toString('base64')
    const log = (validFor: unknown, kind = 'tlogs') => ({ mediaType, [kind]: [{ baseUrl: 'https://rekor.example', logId: { keyId: 'AAAA' }, publicKey: { rawBytes, validFor } }] })
    expect(thrown(() => loadSigstoreTrust([log({ start: 'yesterday' })], []))).toMatchObject({ path: 'trustedRoots[0].tlogs[0].publicKey.validFor.start' })
    for (const validFor of [{}, { end: '2030-01-01T00:00:00Z' }, undefined, 'always']) {
      expect(thrown(() => loadSigstoreTrust([log(validFor)], []))).toMatchObject({
        code: 'invalid-trusted-root',
        path: 'trustedRoots[0].tlogs[0].publicKey.validFor.start',
        message: expect.stringContaining("a log's public key needs validFor.start"),
      })
    }
    expect(thrown(() => loadSigstoreTrust([log({}, 'ctlogs')], []))).toMatchObject({ path: 'trustedRoots[0].ctlogs[0].publicKey.validFor.start' })
    expect(loadSigstoreTrust([log({ start: '2021-01-12T11:53:27Z' })], []).tlogs).toEqual([{ logIds: [Buffer.from('AAAA', 'base64')], baseUrl: 'https://rekor.example', root: 0 }])
  })

  it('accepts an empty trusted root', () => {
    expect(loadSigstoreTrust([{ mediaType: 'application/vnd.dev.sigstore.trustedroot.v0.2+json' }], []).roots).toBe(1)
  })
})
