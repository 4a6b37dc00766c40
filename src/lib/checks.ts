import type { Check } from '../contract/common'

/** A check that did not pass because it could not be judged (an earlier one failed, or something is missing). */
export function isNotJudged(check: Check): boolean {
  return !check.ok && check.notJudged !== undefined
}

/**
 * Failing checks first, so the reason for a verdict is the first thing read; then those that could not be judged
 * because of it; then the passing ones. Otherwise the server's order.
 */
export function orderChecks(checks: readonly Check[]): Check[] {
  const rank = (check: Check) => (check.ok ? 2 : isNotJudged(check) ? 1 : 0)
  // Array.prototype.sort is stable, so each group keeps the order in which the checks ran.
  return [...checks].sort((a, b) => rank(a) - rank(b))
}

/** The first check that failed on its merits, in the order the checks ran: the reason for a `failed` verdict. */
export function firstFailure(checks: readonly Check[]): Check | null {
  return checks.find((check) => !check.ok && !isNotJudged(check)) ?? null
}

/** What each check the server runs establishes, in words; `required:<check>` is a policy's demand for another check. */
const questions: Record<string, string> = {
  'payload-type': 'Is the envelope’s payload an in-toto statement?',
  'payload-trailing-bytes': 'Does the payload end where its JSON ends?',
  // These two only ever pass: they are added when a lenient reader set malformed fields aside, and the verdict stands.
  'fields-ignored': 'Could the document be read with its malformed fields set aside?',
  'provenance-fields-ignored': 'Could the build provenance be read with its malformed fields set aside?',
  'envelope-signature': 'Does the envelope’s signature verify over its content?',
  'link-signature': 'Does the in-toto link’s signature verify?',
  'bundle-signature': 'Does the Sigstore bundle’s signature verify?',
  'message-signature': 'Does the signature verify over the signed message?',
  'signer-trusted': 'Was it signed by a key this server trusts?',
  'signer-identity': 'Is the signer one the project’s policy allows?',
  'certificate-chain': 'Does the signing certificate chain to a trusted certificate authority?',
  'certificate-identity': 'Does the certificate name the expected identity?',
  'transparency-log': 'Is the signature recorded in the transparency log?',
  'timestamp-authority': 'Was the signing time vouched for by a timestamp authority?',
  'subject-digest': 'Does the signed subject’s digest match the artifact?',
  'artifact-digest': 'Is the document about the artifact it was expected to cover?',
  'image-digest': 'Does the signature name the image it is attached to?',
  'image-signature': 'Does the image signature verify over its signed payload?',
  'log-evidence': 'Where did the transparency-log entry come from?',
  timestamp: 'Was the signing time vouched for by a timestamp authority?',
  signature: 'Does the document carry a signature?',
  'statement-type': 'Is the statement a known in-toto statement version?',
  'predicate-type': 'Is the predicate a known provenance type?',
  'builder-id': 'Is the builder one the project’s policy allows?',
  'build-type': 'Is the build type one the project’s policy allows?',
  'public-key': 'Could the public key be read?',
}

/** A question the check answers, e.g. "Was it signed by a key this server trusts?". */
export function checkQuestion(name: string): string {
  const required = /^required:(.+)$/.exec(name)
  if (required?.[1]) return `Did the ${required[1]} check, which the project’s policy requires, pass?`
  return questions[name] ?? `Did the ${name} check pass?`
}

/** Expected versus actual as one plain sentence, or null when the check recorded neither. */
export function expectedVersusActual(check: Check): string | null {
  const { expected, actual } = check
  if (expected === undefined && actual === undefined) return null
  if (expected !== undefined && actual !== undefined) {
    return check.ok ? `Expected ${expected}, and found ${actual}.` : `Expected ${expected}, but found ${actual}.`
  }
  return expected !== undefined ? `Expected ${expected}.` : `Found ${actual ?? ''}.`
}
