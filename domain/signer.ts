import type { Verification } from '../src/contract/common'

/**
 * Who signed a document, as best the verification knows: the certificate's subject alternative name (Sigstore),
 * else the trusted key that verified a signature, else the keyid the first signature names. Null when unsigned.
 * Stored in `documents.signer` at ingest (and on re-verification) so it can be filtered, counted and searched.
 */
export function signerIdentity(verification: Verification): string | null {
  const san = verification.certificate?.subjectAlternativeName
  if (san) return san
  const trusted = verification.signers.find((signer) => signer.trustedKeyId !== null)?.trustedKeyId
  if (trusted) return trusted
  const keyId = verification.signers.find((signer) => signer.keyId)?.keyId
  return keyId ?? null
}
