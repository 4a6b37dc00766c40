import type { Check, Verification } from '../contract/common'
import { firstFailure, isNotJudged } from './checks'

/*
 * The verdict in words, derived from the checks that ran rather than from the status alone: a status names a
 * class of outcome, but only the checks say what was actually established. A sentence here never claims a
 * signature verified unless a signature check passed, nor that a key is trusted unless a trust check passed.
 */

/** The checks that judge a signature itself, whatever carries it (`publish: bundle-signature` in npm's pairs). */
const SIGNATURE_CHECK = /(^|: )(envelope|link|bundle|message)-signature$/

/** The check that a signing certificate chains to a trusted certificate authority (`provenance: certificate-chain` in npm's). */
const CHAIN_CHECK = /(^|: )certificate-chain$/

/** The checks by which a log vouches for its own record: a Rekor entry's inclusion, a checkpoint's signature. */
const LOG_CHECK = /(^|: )(transparency-log|checkpoint-signature)$/

/** The check's name without the attestation it belongs to (npm's `provenance: transparency-log`). */
const baseName = (name: string) => name.replace(/^[^:]+: (?=[a-z])/, '')

/** Why each check fails, in plain words, completing "… failed: <cause>". */
const causes: Record<string, string> = {
  'payload-type': 'the envelope’s payload is not an in-toto statement',
  'envelope-signature': 'the signature does not verify over the signed content, so the content or the signature was altered after signing',
  'link-signature': 'the signature does not verify over the link, so the link or the signature was altered after signing',
  'bundle-signature': 'the signature does not verify over the signed content, so the content or the signature was altered after signing',
  'message-signature': 'the signature does not verify over the signed message',
  'signer-trusted': 'no key this server trusts made the signature',
  'signer-identity': 'the signer is not one the project’s policy allows',
  'builder-id': 'the builder is not one the project’s policy allows',
  'build-type': 'the build type is not one the project’s policy allows',
  'certificate-chain': 'the signing certificate does not chain to a certificate authority this server trusts, or was not valid when it signed',
  'certificate-identity': 'the signing certificate does not name the identity expected',
  'transparency-log': 'the transparency-log entry does not prove this signature was logged',
  'checkpoint-signature': 'the log’s signature does not verify over the checkpoint, so the checkpoint was altered after signing',
  timestamp: 'a timestamp does not verify against a trusted timestamp authority',
  'timestamp-authority': 'a timestamp does not verify against a trusted timestamp authority',
  'subject-digest': 'the signature is about a different artifact',
  'artifact-digest': 'the document is about a different artifact than the one it was expected to cover',
  'image-digest': 'the signature was made for another image and copied onto this one',
  'image-signature': 'the signature does not verify over the image’s signed payload, so the payload or the signature was altered after signing',
  signature: 'the document carries no signature',
}

/** The plain-words cause of a failed check: why it matters, not the raw expected/found (those sit beside it). */
export function failureCause(check: Check): string {
  const name = baseName(check.name)
  const required = /^required:(.+)$/.exec(name)
  if (required?.[1]) return `the project’s policy requires the ${required[1]} check to pass, and it ${check.actual === 'not performed for this document' ? 'was not performed' : 'did not pass'}`
  return causes[name] ?? (check.actual !== undefined ? `found ${check.actual}` : 'it did not pass')
}

const plural = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`

const list = (names: readonly string[]) => names.join(', ')

/**
 * A transparency log's own record (a Rekor entry response, a signed checkpoint): no signer or certificate of its
 * own and no signature check, only the log's checks. Its signature is the log's.
 */
function isLogRecord({ signers, certificate, checks }: Verification): boolean {
  return signers.length === 0 && !certificate && checks.some((check) => LOG_CHECK.test(check.name)) && !checks.some((check) => SIGNATURE_CHECK.test(check.name))
}

/** Who signed, as the record names them: the certificate's identity, else the key ids the signatures name. */
function signedBy(verification: Verification, prefer: 'trusted' | 'named'): string {
  if (isLogRecord(verification)) return 'a transparency log'
  const identity = verification.certificate?.subjectAlternativeName
  if (identity) return identity
  const names = verification.signers
    .map((signer) => (prefer === 'trusted' ? (signer.trustedKeyId ?? signer.keyId) : (signer.keyId ?? signer.trustedKeyId)))
    .filter((name): name is string => name !== null)
  return names.length > 0 ? [...new Set(names)].join(', ') : 'a key that names itself nowhere'
}

/** What the checks say of the signature itself: verified, failed, or never checked. */
export function signatureState(checks: readonly Check[]): 'verified' | 'failed' | 'unchecked' {
  const signature = checks.filter((check) => SIGNATURE_CHECK.test(check.name))
  if (signature.length === 0) return 'unchecked'
  if (signature.some((check) => !check.ok && !isNotJudged(check))) return 'failed'
  if (signature.every((check) => check.ok)) return 'verified'
  return 'unchecked'
}

/** "2 other checks failed (a, b)." for the failures beside the one a sentence is about; "" when none. */
function otherFailures(failures: readonly Check[], besides: readonly string[]): string {
  const others = failures.filter((check) => !besides.includes(baseName(check.name)))
  return others.length === 0 ? '' : ` ${plural(others.length, 'other check', 'other checks')} failed (${list(others.map((check) => check.name))}).`
}

function notJudgedNote(checks: readonly Check[]): string {
  const notJudged = checks.filter(isNotJudged)
  return notJudged.length === 0 ? '' : ` ${plural(notJudged.length, 'check was', 'checks were')} not judged because of it (${list(notJudged.map((check) => check.name))}).`
}

/**
 * One paragraph saying what verifying the document established, every clause backed by a check: for each
 * status, and for a status the checks do not bear out (a `verified` record with a failing check reads as the
 * failure it is, never as verified).
 */
export function verdictSummary(verification: Verification): string {
  const { checks, status } = verification
  const failures = checks.filter((check) => !check.ok && !isNotJudged(check))
  const signature = signatureState(checks)
  const first = firstFailure(checks)

  if (status === 'unsigned') {
    return `The document carries no signature, so nothing vouches for its content.${otherFailures(failures, ['signature', 'envelope-signature', 'link-signature', 'bundle-signature'])}`
  }

  if (status === 'untrusted') {
    const who = signedBy(verification, 'named')
    const whom = verification.certificate ? `Signed with a certificate for ${who}, which no certificate authority this server trusts vouches for` : `Signed by ${who}, which this server does not know`
    const what =
      signature === 'verified'
        ? 'the signature verifies with the key it carries, but nothing this server trusts vouches for that key'
        : signature === 'failed'
          ? 'the signature does not verify'
          : `the ${isLogRecord(verification) ? 'log’s ' : ''}signature could not be checked`
    return `${whom}; ${what}.${otherFailures(failures, ['signer-trusted', 'certificate-chain'])}`
  }

  if (status === 'unverifiable') {
    const missing = first ? ` (${first.name}: ${first.actual ?? failureCause(first)})` : ''
    const what = signature === 'verified' ? 'the signature itself verifies, but who made it cannot be confirmed' : `the ${isLogRecord(verification) ? 'log’s ' : ''}signature could not be checked`
    return `Signed by ${signedBy(verification, 'named')}, but what is needed to check it is missing${missing}; ${what}.${otherFailures(failures, first ? [baseName(first.name)] : [])}`
  }

  if (status === 'verified' && failures.length === 0 && checks.every((check) => check.ok) && checks.length > 0) {
    // The log checks passed: the log's signature (over the checkpoint, or the entry's timestamp and proof) verified
    // with the key of a log in the trusted roots.
    if (isLogRecord(verification)) {
      return `Signed by a transparency log this server trusts, not by a person or a build; the log’s signature verifies, and all ${plural(checks.length, 'check', 'checks')} passed.`
    }
    // A certificate is trusted through the authority that issued it, not for the identity it names.
    const identity = verification.certificate?.subjectAlternativeName
    const chained = checks.some((check) => CHAIN_CHECK.test(check.name))
    const trusted = verification.signers.some((signer) => signer.trustedKeyId !== null)
    const who = identity
      ? `Signed with a certificate for ${identity}${chained ? ', issued by a certificate authority this server trusts' : ''}`
      : `Signed by ${signedBy(verification, 'trusted')}${trusted ? ', which this server trusts' : ''}`
    const what = signature === 'verified' ? 'the signature verifies' : 'no signature check was recorded'
    return `${who}; ${what}, and all ${plural(checks.length, 'check', 'checks')} passed.`
  }

  // failed, or a status its checks do not bear out.
  if (!first) {
    const notJudged = checks.filter(isNotJudged)
    return notJudged.length > 0
      ? `Not every check could be judged (${list(notJudged.map((check) => check.name))}), so the document cannot be relied on.`
      : 'No check passed or failed on record, so nothing was established about this document.'
  }
  const head = failures.length === 1 ? `The ${first.name} check failed` : `${plural(failures.length, 'check', 'checks')} failed, first ${first.name}`
  const rest = failures.length > 1 ? ` The others: ${list(failures.slice(1).map((check) => check.name))}.` : ''
  return `${head}: ${failureCause(first)}.${rest}${notJudgedNote(checks)} Do not rely on this document until the cause is understood.`
}
