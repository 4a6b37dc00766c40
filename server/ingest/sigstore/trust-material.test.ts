import { describe, expect, it } from 'vitest'
import { loadSigstoreTrust } from './trust-material'

describe('loadSigstoreTrust', () => {
  it('names the bad field of a trusted root', () => {
    expect(() => loadSigstoreTrust([[]], [])).toThrow('trustedRoots[0]: a trusted root is a JSON object, found an array')
    expect(() => loadSigstoreTrust([{ mediaType: 'x' }], [])).toThrow(/^trustedRoots\[0\]\.mediaType: /)
    const mediaType = 'application/vnd.dev.sigstore.trustedroot+json;version=0.1'
    expect(() => loadSigstoreTrust([{ mediaType, tlogs: [{ logId: { keyId: 'AAAA' }, publicKey: { rawBytes: 'AAAA' } }] }], [])).toThrow(
      /^trustedRoots\[0\]\.tlogs\[0\]\.publicKey\.rawBytes: not a public key/,
    )
    expect(() => loadSigstoreTrust([{ mediaType, certificateAuthorities: [{ certChain: { certificates: [{ rawBytes: 'b!' }] } }] }], [])).toThrow(
      /^trustedRoots\[0\]\.certificateAuthorities\[0\]\.certChain\.certificates\[0\]\.rawBytes: /,
    )
    expect(() => loadSigstoreTrust([{ mediaType, ctlogs: {} }], [])).toThrow('trustedRoots[0].ctlogs: expected an array, found an object')
  })

  it('accepts an empty trusted root', () => {
    expect(loadSigstoreTrust([{ mediaType: 'application/vnd.dev.sigstore.trustedroot.v0.2+json' }], []).roots).toBe(1)
  })
})
