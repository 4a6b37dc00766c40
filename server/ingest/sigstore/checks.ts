import { generateKeyPairSync, type KeyObject } from 'node:crypto'
import { PolicyError, VerificationError, Verifier, type SignedEntity, type TrustMaterial, type VerifierOptions } from '@sigstore/verify'
import type { Check } from '../../../src/contract/common'
import type { SigstoreTrust } from './trust-material'
import { messageOf } from './wording'

/*
 * What every check returns, and how one check runs @sigstore/verify on its own step. The library's Verifier runs
 * timestamps -> signing key -> tlog -> signature and throws at the first problem; we want every check recorded
 * with what was expected and what was found, so each step runs through the same public Verifier with the other
 * steps set aside.
 */

/** ok; failed (something is demonstrably wrong); missing (trust material we lack); untrusted (chains to nothing we trust). */
export type Outcome = 'ok' | 'failed' | 'missing' | 'untrusted'
export type Step = { outcome: Outcome; check: Check }

export const step = (outcome: Outcome, name: string, expected: string, actual: string, detail?: string): Step => ({
  outcome,
  check: { name, ok: outcome === 'ok', expected, actual, ...(detail ? { detail } : {}) },
})

export type VerifierResult = { ok: true } | { ok: false; code: string; message: string }

/** Runs @sigstore/verify's Verifier and turns its throw into a value. */
export function runVerifier(material: TrustMaterial, entity: SignedEntity, options: VerifierOptions): VerifierResult {
  try {
    new Verifier(material, options).verify(entity)
    return { ok: true }
  } catch (error) {
    if (error instanceof VerificationError || error instanceof PolicyError) {
      const cause: unknown = error.cause
      return { ok: false, code: error.code, message: cause instanceof Error ? `${error.message}: ${cause.message}` : error.message }
    }
    return { ok: false, code: 'ERROR', message: messageOf(error) }
  }
}

/** The signature bytes the library compares against log entries, with its own verification left to the bundle-signature check. */
export function signatureCheckedElsewhere(entity: SignedEntity): SignedEntity['signature'] {
  return {
    signature: entity.signature.signature,
    compareSignature: (signature) => entity.signature.compareSignature(signature),
    compareDigest: (digest) => entity.signature.compareDigest(digest),
    verifySignature: () => true,
  }
}

/** A key finder that accepts any hint: for the steps that are not about the signing key. */
export function anyKeyMaterial(trust: SigstoreTrust, key: KeyObject): TrustMaterial {
  return { ...trust.material, publicKey: () => ({ publicKey: key, validFor: () => true }) }
}
let isolationKeyCache: KeyObject | null = null
/** Any key will do where the step under test is not the signature: the signature check itself is done by bundle-signature. */
export const isolationKey = () => (isolationKeyCache ??= generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey)
