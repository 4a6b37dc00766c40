import { createHash, createPublicKey, generateKeyPairSync, sign } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { verifyDigestSignature } from './digest-signature'

/** The group orders (SEC 2 / FIPS 186-5), for making high-S and out-of-range signatures from valid ones. */
const ORDER = {
  'P-256': 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
  'P-384': 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
  'P-521': 0x01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409n,
} as const
type Curve = keyof typeof ORDER
const SIZE: Record<Curve, number> = { 'P-256': 32, 'P-384': 48, 'P-521': 66 }

const toBigInt = (bytes: Buffer) => BigInt(`0x${bytes.toString('hex') || '0'}`)
const toBytes = (value: bigint, size: number) => Buffer.from(value.toString(16).padStart(size * 2, '0'), 'hex')

/** r||s as IEEE P1363 writes it. */
const raw = (r: bigint, s: bigint, curve: Curve) => Buffer.concat([toBytes(r, SIZE[curve]), toBytes(s, SIZE[curve])])
const split = (signature: Buffer, curve: Curve): [bigint, bigint] => [toBigInt(signature.subarray(0, SIZE[curve])), toBigInt(signature.subarray(SIZE[curve]))]

/** A DER length: short form below 128, else 0x81 and one byte (enough for every curve here). */
const derLength = (length: number) => (length < 0x80 ? Buffer.from([length]) : Buffer.from([0x81, length]))
/** A DER INTEGER: minimal, with a 0x00 in front when the top bit is set so the value stays positive. */
function derInteger(value: bigint): Buffer {
  const digits = value.toString(16)
  let bytes = Buffer.from(digits.length % 2 === 0 ? digits : `0${digits}`, 'hex')
  if ((bytes[0] ?? 0) >= 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes])
  return Buffer.concat([Buffer.from([0x02]), derLength(bytes.length), bytes])
}
const der = (r: bigint, s: bigint) => {
  const body = Buffer.concat([derInteger(r), derInteger(s)])
  return Buffer.concat([Buffer.from([0x30]), derLength(body.length), body])
}

const jwkKey = (crv: Curve, x: string, y: string) =>
  createPublicKey({ key: { kty: 'EC', crv, x: Buffer.from(x, 'hex').toString('base64url'), y: Buffer.from(y, 'hex').toString('base64url') }, format: 'jwk' })

/*
 * RFC 6979 appendix A.2.5 (P-256) and A.2.6 (P-384): deterministic ECDSA over the messages "sample" and "test"
 * with SHA-256 and SHA-384. The RFC does not normalise s: three of the four are high-S signatures.
 */
const RFC6979 = [
  {
    curve: 'P-256',
    hash: 'sha256',
    key: jwkKey('P-256', '60FED4BA255A9D31C961EB74C6356D68C049B8923B61FA6CE669622E60F29FB6', '7903FE1008B8BC99A41AE9E95628BC64F2F1B20C2D7E9F5177A3C294D4462299'),
    signatures: {
      sample: ['EFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716', 'F7CB1C942D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8'],
      test: ['F1ABB023518351CD71D881567B1EA663ED3EFCF6C5132B354F28D3B0B7D38367', '019F4113742A2B14BD25926B49C649155F267E60D3814B4C0CC84250E46F0083'],
    },
  },
  {
    curve: 'P-384',
    hash: 'sha384',
    key: jwkKey(
      'P-384',
      'EC3A4E415B4E19A4568618029F427FA5DA9A8BC4AE92E02E06AAE5286B300C64DEF8F0EA9055866064A254515480BC13',
      '8015D9B72D7D57244EA8EF9AC0C621896708A59367F9DFB9F54CA84B3F1C9DB1288B231C3AE0D4FE7344FD2533264720',
    ),
    signatures: {
      sample: [
        '94EDBB92A5ECB8AAD4736E56C691916B3F88140666CE9FA73D64C4EA95AD133C81A648152E44ACF96E36DD1E80FABE46',
        '99EF4AEB15F178CEA1FE40DB2603138F130E740A19624526203B6351D0A3A94FA329C145786E679E7B82C71A38628AC8',
      ],
      test: [
        '8203B63D3C853E8D77227FB377BCF7B7B772E97892A80F36AB775D509D7A5FEB0542A7F0812998DA8F1DD3CA3CF023DB',
        'DDD0760448D42D8A43AF45AF836FCE4DE8BE06B485E9B61B827C2F13173923E06A739F040649A667BF3B828246BAA5A5',
      ],
    },
  },
] as const

const vectors = RFC6979.flatMap(({ curve, hash, key, signatures }) =>
  Object.entries(signatures).map(([message, [r, s]]) => ({
    name: `${curve} ${hash} "${message}"`,
    curve,
    hash,
    key,
    digest: createHash(hash).update(message).digest(),
    r: BigInt(`0x${r}`),
    s: BigInt(`0x${s}`),
  })),
)

describe('verifyDigestSignature: RFC 6979 known answers', () => {
  it.each(vectors)('verifies $name over its digest, as r||s and as DER', ({ curve, hash, key, digest, r, s }) => {
    expect(verifyDigestSignature(key, hash, digest, raw(r, s, curve))).toBe(true)
    expect(verifyDigestSignature(key, hash, digest, der(r, s))).toBe(true)
  })

  it.each(vectors)('verifies $name with s replaced by n - s (either half of the order)', ({ curve, hash, key, digest, r, s }) => {
    const flipped = ORDER[curve] - s
    expect(verifyDigestSignature(key, hash, digest, raw(r, flipped, curve))).toBe(true)
    expect(verifyDigestSignature(key, hash, digest, der(r, flipped))).toBe(true)
  })

  it('includes high-S signatures among the vectors, so accepting them is tested on published data', () => {
    expect(vectors.filter(({ curve, s }) => s > ORDER[curve] / 2n).map(({ name }) => name)).toEqual(['P-256 sha256 "sample"', 'P-384 sha384 "sample"', 'P-384 sha384 "test"'])
  })

  it.each(vectors)('refuses $name over another digest, or with another key', ({ curve, hash, key, r, s }) => {
    const signature = der(r, s)
    expect(verifyDigestSignature(key, hash, createHash(hash).update('other').digest(), signature)).toBe(false)
    const other = vectors.find((vector) => vector.curve !== curve)!
    expect(verifyDigestSignature(other.key, hash, createHash(hash).update('sample').digest(), signature)).toBe(false)
    const sameCurve = generateKeyPairSync('ec', { namedCurve: curve }).publicKey
    expect(verifyDigestSignature(sameCurve, hash, createHash(hash).update('sample').digest(), signature)).toBe(false)
  })
})

describe('verifyDigestSignature: signatures made with node:crypto, the digest hashed separately', () => {
  it.each([
    ['P-256', 'sha256'],
    ['P-384', 'sha384'],
    ['P-521', 'sha512'],
    ['P-256', 'sha512'],
    ['P-384', 'sha256'],
  ] as const)('checks an ECDSA %s signature over a %s digest, DER or raw r||s', (namedCurve, hash) => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve })
    const artifact = Buffer.from('the artifact')
    const digest = createHash(hash).update(artifact).digest()
    const derSignature = sign(hash, artifact, privateKey)
    const rawSignature = sign(hash, artifact, { key: privateKey, dsaEncoding: 'ieee-p1363' })
    expect(verifyDigestSignature(publicKey, hash, digest, derSignature)).toBe(true)
    expect(verifyDigestSignature(publicKey, hash, digest, rawSignature)).toBe(true)
    const other = createHash(hash).update('another artifact').digest()
    expect(verifyDigestSignature(publicKey, hash, other, derSignature)).toBe(false)
    const flipped = Buffer.from(derSignature)
    flipped[flipped.length - 1] = (flipped[flipped.length - 1] ?? 0) ^ 1
    expect(verifyDigestSignature(publicKey, hash, digest, flipped)).toBe(false)
    expect(verifyDigestSignature(publicKey, hash, digest, Buffer.from('not a signature'))).toBe(false)
    expect(verifyDigestSignature(generateKeyPairSync('ec', { namedCurve }).publicKey, hash, digest, derSignature)).toBe(false)
  })

  it.each(['P-256', 'P-384', 'P-521'] as const)('accepts the high-S twin of a %s signature', (curve) => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: curve })
    const digest = createHash('sha256').update('x').digest()
    const [r, s] = split(sign('sha256', Buffer.from('x'), { key: privateKey, dsaEncoding: 'ieee-p1363' }), curve)
    const twin = ORDER[curve] - s
    expect(verifyDigestSignature(publicKey, 'sha256', digest, der(r, twin))).toBe(true)
    expect(verifyDigestSignature(publicKey, 'sha256', digest, raw(r, twin, curve))).toBe(true)
  })

  it('reads a raw r||s signature that happens to begin with 0x30 (the DER tag)', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    const digest = createHash('sha256').update('x').digest()
    // About one raw signature in 256 starts with 0x30; 10,000 tries miss with a probability near e^-39.
    let signature: Buffer | undefined
    for (let attempt = 0; attempt < 10_000 && signature === undefined; attempt++) {
      const candidate = sign('sha256', Buffer.from('x'), { key: privateKey, dsaEncoding: 'ieee-p1363' })
      if (candidate[0] === 0x30) signature = candidate
    }
    expect(signature).toBeDefined()
    expect(verifyDigestSignature(publicKey, 'sha256', digest, signature!)).toBe(true)
  })
})

describe('verifyDigestSignature: malformed signatures', () => {
  const [vector] = vectors
  const { curve, hash, key, digest, r, s } = vector!
  const n = ORDER[curve]
  const valid = der(r, s)

  it.each([
    ['an empty signature', Buffer.alloc(0)],
    ['DER cut short', valid.subarray(0, valid.length - 1)],
    ['DER with a byte after it', Buffer.concat([valid, Buffer.from([0])])],
    ['DER whose sequence length is wrong', Buffer.concat([Buffer.from([0x30, (valid[1] ?? 0) + 1]), valid.subarray(2)])],
    ['DER with a tag other than SEQUENCE', Buffer.concat([Buffer.from([0x31]), valid.subarray(1)])],
    ['DER with a long-form length where the short form fits', Buffer.concat([Buffer.from([0x30, 0x81, valid[1] ?? 0]), valid.subarray(2)])],
    ['DER with r negative (its sign byte dropped)', Buffer.concat([Buffer.from([0x30, (valid[1] ?? 0) - 1, 0x02, 0x20]), valid.subarray(5)])],
    ['DER with only r', Buffer.concat([Buffer.from([0x30, (valid[3] ?? 0) + 2]), valid.subarray(2, 4 + (valid[3] ?? 0))])],
    ['r||s one byte short', raw(r, s, curve).subarray(1)],
    ['r||s one byte long', Buffer.concat([raw(r, s, curve), Buffer.from([0])])],
    ['r = 0 (raw)', raw(0n, s, curve)],
    ['s = 0 (raw)', raw(r, 0n, curve)],
    ['r = 0 (DER)', der(0n, s)],
    ['s = 0 (DER)', der(r, 0n)],
    ['r = n', raw(n, s, curve)],
    ['s = n', der(r, n)],
    ['r = n + r, the same value modulo n', der(n + r, s)],
    ['s = 2^256 - 1', raw(r, (1n << 256n) - 1n, curve)],
  ])('refuses %s', (_, signature) => {
    expect(verifyDigestSignature(key, hash, digest, signature)).toBe(false)
  })

  it('still verifies the signature those were made from', () => {
    expect(verifyDigestSignature(key, hash, digest, valid)).toBe(true)
  })
})

describe('verifyDigestSignature: other key types', () => {
  it('checks RSA PKCS#1 v1.5 over a digest, and says Ed25519 needs the artifact', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
    const digest = createHash('sha256').update('x').digest()
    expect(verifyDigestSignature(rsa.publicKey, 'sha256', digest, sign('sha256', Buffer.from('x'), rsa.privateKey))).toBe(true)
    expect(verifyDigestSignature(rsa.publicKey, 'sha256', digest, sign('sha256', Buffer.from('y'), rsa.privateKey))).toBe(false)
    expect(verifyDigestSignature(rsa.publicKey, 'sha3-256', digest, sign('sha256', Buffer.from('x'), rsa.privateKey))).toBe('unsupported')
    const ed = generateKeyPairSync('ed25519')
    expect(verifyDigestSignature(ed.publicKey, 'sha256', digest, sign(null, Buffer.from('x'), ed.privateKey))).toBe('unsupported')
  })

  it('refuses ECDSA on a curve outside the NIST three', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'secp256k1' })
    const digest = createHash('sha256').update('x').digest()
    expect(verifyDigestSignature(publicKey, 'sha256', digest, sign('sha256', Buffer.from('x'), privateKey))).toBe(false)
  })
})
