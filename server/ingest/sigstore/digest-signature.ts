import { createECDH, publicDecrypt, type KeyObject } from 'node:crypto'

/*
 * A hashedrekord bundle signs the artifact, and @sigstore/verify needs the artifact's bytes to check it. A
 * dashboard usually holds only the digest, which is exactly what ECDSA and RSA PKCS#1 sign, but node:crypto has
 * no "verify this pre-hashed digest" for ECDSA. So ECDSA verification over a digest is done here, with BigInt
 * arithmetic on the NIST curves (public data only: no constant-time concerns).
 */
type Curve = { p: bigint; b: bigint; n: bigint; g: [bigint, bigint]; size: number }
const curve = (name: string, p: bigint, b: bigint, n: bigint, size: number): Curve => {
  // The generator is the public key of the private key 1: no constant to mistype.
  const one = Buffer.alloc(size)
  one[size - 1] = 1
  const ecdh = createECDH(name)
  ecdh.setPrivateKey(one)
  const point = ecdh.getPublicKey()
  return { p, b, n, size, g: [toBigInt(point.subarray(1, 1 + size)), toBigInt(point.subarray(1 + size))] }
}
const toBigInt = (bytes: Uint8Array): bigint => (bytes.length === 0 ? 0n : BigInt(`0x${Buffer.from(bytes).toString('hex')}`))
let curves: Record<string, Curve> | null = null
function curveFor(name: string): Curve | undefined {
  curves ??= {
    prime256v1: curve(
      'prime256v1',
      0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn,
      0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn,
      0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
      32,
    ),
    secp384r1: curve(
      'secp384r1',
      0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffffn,
      0xb3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875ac656398d8a2ed19d2a85c8edd3ec2aefn,
      0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
      48,
    ),
    secp521r1: curve(
      'secp521r1',
      (1n << 521n) - 1n,
      0x0051953eb9618e1c9a1f929a21a0b68540eea2da725b99b315f3b8b489918ef109e156193951ec7e937b1652c0bd3bb1bf073573df883d2c34f1ef451fd46b503f00n,
      0x01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409n,
      66,
    ),
  }
  return curves[name]
}

const mod = (value: bigint, m: bigint) => ((value % m) + m) % m
function power(base: bigint, exponent: bigint, m: bigint): bigint {
  let result = 1n
  let b = mod(base, m)
  let e = exponent
  while (e > 0n) {
    if (e & 1n) result = (result * b) % m
    b = (b * b) % m
    e >>= 1n
  }
  return result
}

type Jacobian = [bigint, bigint, bigint]
function double([x, y, z]: Jacobian, p: bigint): Jacobian {
  if (y === 0n || z === 0n) return [0n, 1n, 0n]
  // a = -3 on every NIST prime curve
  const delta = (z * z) % p
  const gamma = (y * y) % p
  const beta = (x * gamma) % p
  const alpha = mod(3n * (x - delta) * (x + delta), p)
  const x3 = mod(alpha * alpha - 8n * beta, p)
  const z3 = mod((y + z) * (y + z) - gamma - delta, p)
  const y3 = mod(alpha * (4n * beta - x3) - 8n * gamma * gamma, p)
  return [x3, y3, z3]
}
function add(a: Jacobian, b: Jacobian, p: bigint): Jacobian {
  if (a[2] === 0n) return b
  if (b[2] === 0n) return a
  const z1z1 = (a[2] * a[2]) % p
  const z2z2 = (b[2] * b[2]) % p
  const u1 = (a[0] * z2z2) % p
  const u2 = (b[0] * z1z1) % p
  const s1 = (a[1] * b[2] * z2z2) % p
  const s2 = (b[1] * a[2] * z1z1) % p
  if (u1 === u2) return s1 === s2 ? double(a, p) : [0n, 1n, 0n]
  const h = mod(u2 - u1, p)
  const r = mod(s2 - s1, p)
  const hh = (h * h) % p
  const hhh = (hh * h) % p
  const x3 = mod(r * r - hhh - 2n * u1 * hh, p)
  const y3 = mod(r * (u1 * hh - x3) - s1 * hhh, p)
  return [x3, y3, (h * a[2] * b[2]) % p]
}

/** Reads an ECDSA signature, DER (what Sigstore clients write) or raw r||s. */
function ecdsaSignature(signature: Buffer, size: number): [bigint, bigint] | null {
  if (signature.length === 2 * size && signature[0] !== 0x30) return [toBigInt(signature.subarray(0, size)), toBigInt(signature.subarray(size))]
  let offset = 0
  const readLength = (): number => {
    const first = signature[offset++] ?? 0
    if (first < 0x80) return first
    let length = 0
    for (let index = 0; index < (first & 0x7f); index++) length = length * 256 + (signature[offset++] ?? 0)
    return length
  }
  if (signature[offset++] !== 0x30) return null
  const total = readLength()
  if (offset + total !== signature.length) return null
  const integers: bigint[] = []
  for (let index = 0; index < 2; index++) {
    if (signature[offset++] !== 0x02) return null
    const length = readLength()
    if (length === 0 || offset + length > signature.length) return null
    integers.push(toBigInt(signature.subarray(offset, offset + length)))
    offset += length
  }
  const [r, s] = integers
  return offset === signature.length && r !== undefined && s !== undefined ? [r, s] : null
}

function verifyEcdsaDigest(key: KeyObject, digest: Buffer, signature: Buffer): boolean {
  const params = curveFor(key.asymmetricKeyDetails?.namedCurve ?? '')
  if (!params) return false
  const jwk = key.export({ format: 'jwk' })
  if (!jwk.x || !jwk.y) return false
  const q: Jacobian = [toBigInt(Buffer.from(jwk.x, 'base64url')), toBigInt(Buffer.from(jwk.y, 'base64url')), 1n]
  const parsed = ecdsaSignature(signature, params.size)
  if (!parsed) return false
  const [r, s] = parsed
  const { n, p } = params
  if (r <= 0n || r >= n || s <= 0n || s >= n) return false
  // The leftmost bits of the digest, as many as the order has (FIPS 186-5, 6.4.2).
  const bits = n.toString(2).length
  let e = toBigInt(digest)
  if (digest.length * 8 > bits) e >>= BigInt(digest.length * 8 - bits)
  const w = power(s, n - 2n, n)
  const u1 = mod(e * w, n)
  const u2 = mod(r * w, n)
  const g: Jacobian = [params.g[0], params.g[1], 1n]
  const gq = add(g, q, p)
  let point: Jacobian = [0n, 1n, 0n]
  for (let bit = BigInt(Math.max(u1.toString(2).length, u2.toString(2).length) - 1); bit >= 0n; bit--) {
    point = double(point, p)
    const a = (u1 >> bit) & 1n
    const b = (u2 >> bit) & 1n
    if (a && b) point = add(point, gq, p)
    else if (a) point = add(point, g, p)
    else if (b) point = add(point, q, p)
  }
  if (point[2] === 0n) return false
  const zInverse = power(point[2], p - 2n, p)
  const x = (point[0] * zInverse * zInverse) % p
  return mod(x, n) === r
}

const DIGEST_INFO_PREFIX: Record<string, string> = {
  sha256: '3031300d060960864801650304020105000420',
  sha384: '3041300d060960864801650304020205000430',
  sha512: '3051300d060960864801650304020305000440',
}

/** Checks a signature over a pre-computed digest: ECDSA (any NIST curve) and RSA PKCS#1 v1.5. */
export function verifyDigestSignature(key: KeyObject, hash: string, digest: Buffer, signature: Buffer): boolean | 'unsupported' {
  try {
    if (key.asymmetricKeyType === 'ec') return verifyEcdsaDigest(key, digest, signature)
    if (key.asymmetricKeyType === 'rsa') {
      const prefix = DIGEST_INFO_PREFIX[hash]
      if (!prefix) return 'unsupported'
      const recovered = publicDecrypt({ key, padding: 1 /* RSA_PKCS1_PADDING */ }, signature)
      return recovered.equals(Buffer.concat([Buffer.from(prefix, 'hex'), digest]))
    }
    // Ed25519 signs the message itself, RSA-PSS a salted encoding: neither can be checked from a digest.
    return 'unsupported'
  } catch {
    return false
  }
}
