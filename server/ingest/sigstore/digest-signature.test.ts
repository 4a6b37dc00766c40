import { createHash, generateKeyPairSync, sign } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { verifyDigestSignature } from './digest-signature'

describe('verifyDigestSignature', () => {
  it.each([
    ['P-256', 'sha256'],
    ['P-384', 'sha384'],
    ['P-521', 'sha512'],
    ['P-256', 'sha512'],
  ] as const)('checks an ECDSA %s signature over a %s digest, DER or raw r||s', (namedCurve, hash) => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve })
    const artifact = Buffer.from('the artifact')
    const digest = createHash(hash).update(artifact).digest()
    const der = sign(hash, artifact, privateKey)
    const raw = sign(hash, artifact, { key: privateKey, dsaEncoding: 'ieee-p1363' })
    expect(verifyDigestSignature(publicKey, hash, digest, der)).toBe(true)
    expect(verifyDigestSignature(publicKey, hash, digest, raw)).toBe(true)
    const other = createHash(hash).update('another artifact').digest()
    expect(verifyDigestSignature(publicKey, hash, other, der)).toBe(false)
    const flipped = Buffer.from(der)
    flipped[flipped.length - 1] = (flipped[flipped.length - 1] ?? 0) ^ 1
    expect(verifyDigestSignature(publicKey, hash, digest, flipped)).toBe(false)
    expect(verifyDigestSignature(publicKey, hash, digest, Buffer.from('not a signature'))).toBe(false)
  })

  it('checks RSA PKCS#1 v1.5 over a digest, and says Ed25519 needs the artifact', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
    const digest = createHash('sha256').update('x').digest()
    expect(verifyDigestSignature(rsa.publicKey, 'sha256', digest, sign('sha256', Buffer.from('x'), rsa.privateKey))).toBe(true)
    expect(verifyDigestSignature(rsa.publicKey, 'sha256', digest, sign('sha256', Buffer.from('y'), rsa.privateKey))).toBe(false)
    const ed = generateKeyPairSync('ed25519')
    expect(verifyDigestSignature(ed.publicKey, 'sha256', digest, sign(null, Buffer.from('x'), ed.privateKey))).toBe('unsupported')
  })
})
