import type { Check, Signer, Verification } from '../../src/contract/common'
import { IN_TOTO_PAYLOAD_TYPE, pae, type DsseEnvelope } from './dsse'
import { verifySignature, type TrustedKey } from './keys'
import type { Tolerance } from './read'

const short = (keyid: string) => (keyid === '' ? '(no keyid)' : keyid.length > 24 ? `${keyid.slice(0, 24)}…` : keyid)

export type SignedThing = {
  /** The check that judges the signature: `envelope-signature`, `link-signature`. */
  check: string
  /** What was signed, for messages: "envelope", "link". */
  noun: string
  /** What a good signature covers, e.g. "a signature over the DSSE pre-authentication encoding". */
  covers: string
  /** The part an altered signature no longer matches: "the payload", "the signed part". */
  signedPart: string
  data: Buffer
  signatures: readonly { keyid: string; sig: Buffer; cert?: string | null }[]
  /** Whether a signature's keyid names this key (besides its configured id and fingerprint). */
  names?: (key: TrustedKey, keyid: string) => boolean
  /** Checks made before the signature (the payload type); any failing one makes a verified signature fail. */
  leading?: Check[]
}

/**
 * Judges signatures against the trusted keys, recording every check with what was expected and what was found.
 * A signature that names a trusted key but does not verify with it is a failure (altered or forged); a
 * signature no trusted key claims or verifies is from a key we do not trust; a certificate with no trust root
 * to check it is unverifiable; no signature at all is unsigned. DSSE envelopes and in-toto links share this.
 */
export function judgeSignatures(thing: SignedThing, keys: readonly TrustedKey[]): Verification {
  const checks: Check[] = [...(thing.leading ?? [])]
  const signers: Signer[] = []
  const leadingFails = checks.some((check) => !check.ok)

  if (thing.signatures.length === 0) {
    checks.push({ name: thing.check, ok: false, expected: 'at least one signature', actual: 'none', detail: `The ${thing.noun} carries no signature.` })
    return finish('unsigned', checks, signers)
  }

  let verified: TrustedKey | null = null
  let claimedButBad: { keyid: string; key: TrustedKey } | null = null
  let certificateOnly = false
  for (const signature of thing.signatures) {
    const claimed = keys.filter(
      (key) => signature.keyid !== '' && (key.id === signature.keyid || key.fingerprint === signature.keyid || thing.names?.(key, signature.keyid) === true),
    )
    // A signer's keyid is a hint, not a promise: when it names no trusted key, try them all.
    const candidates = claimed.length > 0 ? claimed : keys
    const match = candidates.find((key) => verifySignature(key, thing.data, signature.sig)) ?? null
    signers.push({ keyId: signature.keyid || null, trustedKeyId: match?.id ?? null, algorithm: match?.algorithm ?? claimed[0]?.algorithm ?? null })
    if (match) {
      verified ??= match
    } else if (claimed[0]) {
      claimedButBad ??= { keyid: signature.keyid, key: claimed[0] }
    } else if (signature.cert) {
      certificateOnly = true
    }
  }

  if (verified) {
    checks.push({ name: thing.check, ok: true, expected: thing.covers, actual: `verifies with ${verified.algorithm} key ${verified.id}` })
    checks.push({ name: 'signer-trusted', ok: true, expected: 'a key listed in trust.keys', actual: `trusted key ${verified.id}` })
    return finish(leadingFails ? 'failed' : 'verified', checks, signers)
  }
  if (claimedButBad) {
    checks.push({
      name: thing.check,
      ok: false,
      expected: `a valid ${claimedButBad.key.algorithm} signature by trusted key ${claimedButBad.key.id}`,
      actual: `the signature for keyid ${short(claimedButBad.keyid)} does not verify`,
      detail: `The ${thing.noun} names a trusted key, but its signature does not match ${thing.signedPart}: ${thing.signedPart} or the signature was altered after signing.`,
    })
    return finish('failed', checks, signers)
  }
  const keyids = thing.signatures.map((signature) => short(signature.keyid)).join(', ')
  if (certificateOnly) {
    const notJudged = `the signature is made with a certificate (keyid ${keyids}) and no trusted root is configured to check it`
    checks.push({ name: thing.check, ok: false, expected: thing.covers, actual: `not judged: ${notJudged}`, notJudged })
    checks.push({
      name: 'signer-trusted',
      ok: false,
      expected: 'a trusted key, or a certificate chain to a configured Sigstore trusted root',
      actual: `signed with a certificate (keyid ${keyids}); no trusted root is configured to check it`,
      detail: 'Add the Sigstore trusted_root.json that issued this certificate to the config to verify it.',
    })
    return finish('unverifiable', checks, signers)
  }
  // Without the key that made it, the signature itself cannot be checked: say so, rather than leave the
  // reader to assume it verified and only the key was unknown.
  const notJudged = `no key this server has is named ${keyids} or verifies the signature, so it could not be checked`
  checks.push({
    name: thing.check,
    ok: false,
    expected: thing.covers,
    actual: `not judged: ${notJudged}`,
    notJudged,
  })
  checks.push({
    name: 'signer-trusted',
    ok: false,
    expected: keys.length > 0 ? `a signature by one of: ${keys.map((key) => key.id).join(', ')}` : 'a key listed in trust.keys',
    actual: `keyid ${keyids}: no trusted key verifies it`,
    detail:
      keys.length > 0
        ? 'The signature was made by a key that is not in trust.keys (or it was altered and names no key).'
        : 'No keys are configured under trust.keys.',
  })
  return finish(leadingFails ? 'failed' : 'untrusted', checks, signers)
}

/** Verifies a DSSE envelope: its payload type, then its signatures over the pre-authentication encoding. */
export function verifyEnvelope(envelope: DsseEnvelope, keys: readonly TrustedKey[]): Verification {
  return judgeSignatures(
    {
      check: 'envelope-signature',
      noun: 'envelope',
      covers: 'a signature over the DSSE pre-authentication encoding',
      signedPart: 'the payload',
      data: pae(envelope.payloadType, envelope.payload),
      signatures: envelope.signatures,
      leading: [{ name: 'payload-type', ok: envelope.payloadType === IN_TOTO_PAYLOAD_TYPE, expected: IN_TOTO_PAYLOAD_TYPE, actual: envelope.payloadType }],
    },
    keys,
  )
}

/**
 * The order a person should read checks in: what failed first (the cause), then what could not be judged
 * because of it, then what passed; each group in the order the checks ran.
 */
export function readingOrder(checks: readonly Check[]): Check[] {
  return [
    ...checks.filter((check) => !check.ok && check.notJudged === undefined),
    ...checks.filter((check) => !check.ok && check.notJudged !== undefined),
    ...checks.filter((check) => check.ok),
  ]
}

function finish(status: Verification['status'], checks: Check[], signers: Signer[]): Verification {
  const ordered = readingOrder(checks)
  const failed = ordered.find((check) => !check.ok && check.notJudged === undefined)
  return { status, failedCheck: status === 'failed' ? (failed?.name ?? null) : null, checks: ordered, signers }
}

/** The verification of a document that carries no signature at all: one check saying so. */
export function unsignedVerification(what: string): Verification {
  return {
    status: 'unsigned',
    failedCheck: null,
    checks: [
      {
        name: 'signature',
        ok: false,
        expected: 'a signed document (a DSSE envelope, a Sigstore bundle or a signed in-toto link)',
        actual: `none: ${what} carries no signature`,
        detail: 'Its facts are stored, but nothing vouches for who wrote them. Sign it (for example as an in-toto attestation in a DSSE envelope) to have it verified.',
      },
    ],
    signers: [],
  }
}

/** A document with thousands of bad entries should not bury its verdict under them. */
const TOLERANCES_LISTED = 5

/** A passing check naming what a lenient reader let pass: its name, and what the fields it covers are. */
export type ToleranceCheck = { name: string; fields: string }

/** Fields of the document's own format (an envelope's `cert` hint, an SBOM's purl reference) stored as not given. */
export const FIELDS_IGNORED: ToleranceCheck = { name: 'fields-ignored', fields: "the document's fields" }

/** SLSA provenance fields (builder id, times, dependencies) stored as not given, whichever format carried them. */
export const PROVENANCE_FIELDS_IGNORED: ToleranceCheck = { name: 'provenance-fields-ignored', fields: 'SLSA provenance fields' }

/**
 * Says which malformed fields a lenient reader stored as not given, as a passing check. The rest was read and
 * a signature covers the bytes as sent, so the verdict stands; but whoever reads it should know that, say, a
 * build has no builder id because the document's was not a string, not because it had none.
 */
export function withTolerated(verification: Verification, check: ToleranceCheck, tolerated: readonly Tolerance[]): Verification {
  if (tolerated.length === 0) return verification
  const listed = tolerated.slice(0, TOLERANCES_LISTED).map(({ path, problem }) => `${path}: ${problem}`)
  const more = tolerated.length > listed.length ? `; and ${tolerated.length - listed.length} more` : ''
  return {
    ...verification,
    checks: [
      ...verification.checks,
      {
        name: check.name,
        ok: true,
        expected: `${check.fields} in the form their specification gives`,
        actual: `${tolerated.length} malformed ${tolerated.length === 1 ? 'field' : 'fields'}, stored as not given`,
        detail: `${listed.join('; ')}${more}. The rest of the document was read and the verdict stands; fix these fields where the document is produced to have them kept.`,
      },
    ],
  }
}
