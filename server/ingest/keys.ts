import { constants, createHash, createPublicKey, verify, type KeyObject } from 'node:crypto'

export type KeyAlgorithm = 'ed25519' | 'ecdsa-p256' | 'ecdsa-p384' | 'ecdsa-p521' | 'rsa'

export type TrustedKey = {
  /** The id from the config; DSSE signatures naming it are checked against this key first. */
  id: string
  key: KeyObject
  algorithm: KeyAlgorithm
  /** SHA-256 of the DER SubjectPublicKeyInfo, hex: the key id many signers put in `keyid`. */
  fingerprint: string
}

const curveAlgorithms: Record<string, KeyAlgorithm> = {
  prime256v1: 'ecdsa-p256',
  secp384r1: 'ecdsa-p384',
  secp521r1: 'ecdsa-p521',
}
const curveHashes: Record<KeyAlgorithm, string | null> = {
  ed25519: null,
  'ecdsa-p256': 'sha256',
  'ecdsa-p384': 'sha384',
  'ecdsa-p521': 'sha512',
  rsa: 'sha256',
}

/** Loads a PEM public key; throws with a plain reason when it is not one we can verify with. */
export function loadPublicKey(id: string, pem: string): TrustedKey {
  const key = createPublicKey(pem)
  const algorithm = keyAlgorithm(key)
  const der = key.export({ type: 'spki', format: 'der' })
  return { id, key, algorithm, fingerprint: createHash('sha256').update(der).digest('hex') }
}

/** What a key verifies as; throws with a plain reason when it is not one we can verify with. */
export function keyAlgorithm(key: KeyObject): KeyAlgorithm {
  if (key.asymmetricKeyType === 'ed25519') return 'ed25519'
  if (key.asymmetricKeyType === 'rsa' || key.asymmetricKeyType === 'rsa-pss') return 'rsa'
  if (key.asymmetricKeyType === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve ?? ''
    const known = curveAlgorithms[curve]
    if (!known) throw new Error(`unsupported elliptic curve ${curve || '(unknown)'}; use P-256, P-384 or P-521`)
    return known
  }
  throw new Error(`unsupported key type ${key.asymmetricKeyType ?? '(unknown)'}; use Ed25519, ECDSA or RSA`)
}

/**
 * Checks one signature over `data`. ECDSA signatures come DER-encoded from most signers and as raw r||s
 * (IEEE P1363) from some (Google's VSA signer, WebCrypto), so both encodings are accepted; RSA as PKCS#1 v1.5
 * or PSS.
 */
export function verifySignature(trusted: TrustedKey, data: Buffer, signature: Buffer): boolean {
  const hash = curveHashes[trusted.algorithm]
  try {
    if (trusted.algorithm === 'ed25519') return verify(null, data, trusted.key, signature)
    if (trusted.algorithm === 'rsa') {
      return (
        verify(hash, data, trusted.key, signature) ||
        verify(hash, data, { key: trusted.key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_AUTO }, signature)
      )
    }
    if (verify(hash, data, trusted.key, signature)) return true
    return verify(hash, data, { key: trusted.key, dsaEncoding: 'ieee-p1363' }, signature)
  } catch {
    // A malformed signature (wrong length, bad DER) is a signature that does not verify, not a server error.
    return false
  }
}
