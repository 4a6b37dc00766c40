import { publicDecrypt, type KeyObject } from 'node:crypto'
import { p256, p384, p521 } from '@noble/curves/nist.js'

/*
 * A hashedrekord bundle signs the artifact, and @sigstore/verify needs the artifact's bytes to check it. A
 * dashboard usually holds only the digest, which is exactly what ECDSA and RSA PKCS#1 sign. For RSA node:crypto
 * can answer from the digest (publicDecrypt recovers the signed DigestInfo), but its ECDSA verify always hashes
 * the message itself and has no pre-hashed mode. So ECDSA over a digest goes to @noble/curves (audited), with
 * prehash off.
 */

/** The NIST curves by the name node:crypto gives them, with their field size in bytes. */
const CURVES: Record<string, { ecdsa: typeof p256; size: number }> = {
  prime256v1: { ecdsa: p256, size: 32 },
  secp384r1: { ecdsa: p384, size: 48 },
  secp521r1: { ecdsa: p521, size: 66 },
}

/** The key as a SEC 1 uncompressed point (0x04 || x || y), the form noble reads. */
function sec1Point(key: KeyObject, size: number): Uint8Array | null {
  const jwk = key.export({ format: 'jwk' })
  if (!jwk.x || !jwk.y) return null
  const x = Buffer.from(jwk.x, 'base64url')
  const y = Buffer.from(jwk.y, 'base64url')
  if (x.length > size || y.length > size) return null
  const point = Buffer.alloc(1 + 2 * size)
  point[0] = 0x04
  // JWK coordinates are the field size already; right-aligning costs nothing and does not rely on it.
  x.copy(point, 1 + size - x.length)
  y.copy(point, 1 + 2 * size - y.length)
  return point
}

function verifyEcdsaDigest(key: KeyObject, digest: Buffer, signature: Buffer): boolean {
  const curve = CURVES[key.asymmetricKeyDetails?.namedCurve ?? '']
  if (!curve) return false
  const publicKey = sec1Point(key, curve.size)
  if (!publicKey) return false
  // Sigstore clients write DER; other signers write raw r||s (IEEE P1363, noble's "compact"). A raw
  // signature can begin with DER's 0x30 too, so one of exactly the raw length is read both ways.
  const formats: ('der' | 'compact')[] = []
  if (signature[0] === 0x30) formats.push('der')
  if (signature.length === 2 * curve.size) formats.push('compact')
  // prehash: false, the digest is what was signed. lowS: false, Sigstore and Rekor accept either s, as OpenSSL does.
  return formats.some((format) => curve.ecdsa.verify(signature, digest, publicKey, { prehash: false, lowS: false, format }))
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
