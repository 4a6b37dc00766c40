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

/**
 * ok; failed (something is demonstrably wrong); missing (trust material we lack); untrusted (chains to nothing we
 * trust); error (the check itself broke: a defect of ours or a library's, which says nothing about the document).
 */
export type Outcome = 'ok' | 'failed' | 'missing' | 'untrusted' | 'error'
export type Step = { outcome: Outcome; check: Check }

export const step = (outcome: Outcome, name: string, expected: string, actual: string, detail?: string): Step => ({
  outcome,
  check: { name, ok: outcome === 'ok', expected, actual, ...(detail ? { detail } : {}) },
})

/**
 * A check that threw. Recorded as not judged (never as failed): the document may be perfectly good, and calling
 * it failed would blame its author for our bug. The status it leads to is `unverifiable`, with this reason shown.
 */
export function internalErrorStep(name: string, expected: string, error: unknown): Step {
  const what = error instanceof Error ? `${error.name}: ${error.message}` : String(error)
  const notJudged = `internal error while checking (${what}); this is a defect of the dashboard, not a finding about the document`
  return {
    outcome: 'error',
    check: {
      name,
      ok: false,
      expected,
      actual: 'could not be checked: internal error',
      detail: 'The check stopped with an unexpected error. The document is stored as sent and can be verified again once the defect is fixed.',
      notJudged,
    },
  }
}

/** Thrown when @sigstore/verify fails with something other than its own verdict (a TypeError on input it did not expect). */
export class InternalCheckError extends Error {
  constructor(readonly original: unknown) {
    super(messageOf(original))
    this.name = original instanceof Error ? original.name : 'Error'
  }
}

/** Errors JavaScript raises for a program's own mistakes, as opposed to the errors a parser or verifier throws on bad input. */
export function isRuntimeError(error: unknown): boolean {
  return error instanceof TypeError || error instanceof RangeError || error instanceof ReferenceError || error instanceof SyntaxError || error instanceof EvalError || error instanceof URIError
}

export type VerifierResult = { ok: true } | { ok: false; code: string; message: string }

/**
 * Runs @sigstore/verify's Verifier and turns its verdict (VerificationError, PolicyError) into a value. Anything
 * else it throws is not a verdict but a crash, and is thrown on as InternalCheckError for the caller's guard.
 */
export function runVerifier(material: TrustMaterial, entity: SignedEntity, options: VerifierOptions): VerifierResult {
  try {
    new Verifier(material, options).verify(entity)
    return { ok: true }
  } catch (error) {
    if (error instanceof VerificationError || error instanceof PolicyError) {
      const cause: unknown = error.cause
      // The library wraps whatever its chain builder throws; a JavaScript runtime error there is a crash, not a finding.
      if (isRuntimeError(cause)) throw new InternalCheckError(cause)
      return { ok: false, code: error.code, message: cause instanceof Error ? `${error.message}: ${cause.message}` : error.message }
    }
    throw new InternalCheckError(error)
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
