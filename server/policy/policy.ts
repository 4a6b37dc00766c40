import type { Check, Verification } from '../../src/contract/common'
import type { Policy, SignerIdentity } from '../../src/contract/policy'
import { readingOrder } from '../ingest/verify'

/** Certificate facts of a signer, when a document was signed with a Sigstore certificate. */
export type CertificateFacts = {
  subjectAlternativeName: string | null
  issuer: string | null
  repository: string | null
  workflow: string | null
  ref: string | null
}

export type PolicySubject = {
  sourceRepo: string | null
  builderId: string | null
  buildType: string | null
  certificate: CertificateFacts | null
}

const escape = (text: string) => text.replace(/[.+?^${}()|[\]\\]/g, '\\$&')

/** `*` matches within one path segment, `**` across segments; everything else literally. */
export function globToRegExp(glob: string): RegExp {
  const source = glob
    .split('**')
    .map((part) => part.split('*').map(escape).join('[^/]*'))
    .join('.*')
  return new RegExp(`^${source}$`)
}

export const matchesGlob = (glob: string, value: string) => globToRegExp(glob).test(value)

/** `/regex/` is a regular expression; anything else must match exactly. */
function matchesIdentity(expected: string, actual: string | null): boolean {
  if (actual === null) return false
  const regex = /^\/(.+)\/$/.exec(expected)
  return regex?.[1] ? new RegExp(regex[1]).test(actual) : expected === actual
}

export function policyFor(policies: readonly Policy[], sourceRepo: string | null): Policy | null {
  if (!sourceRepo) return null
  return policies.find((policy) => policy.repositories.some((glob) => matchesGlob(glob, sourceRepo))) ?? null
}

function describeSigner(signer: SignerIdentity): string {
  return Object.entries(signer)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${key} ${String(value)}`)
    .join(', ')
}

function signerMatches(signer: SignerIdentity, verification: Verification, certificate: CertificateFacts | null): boolean {
  if (signer.keyId !== undefined && !verification.signers.some((found) => found.trustedKeyId === signer.keyId)) return false
  const certificateFields = [signer.subjectAlternativeName, signer.issuer, signer.repository, signer.workflow, signer.ref]
  if (certificateFields.every((field) => field === undefined)) return true
  if (!certificate) return false
  if (signer.subjectAlternativeName !== undefined && !matchesIdentity(signer.subjectAlternativeName, certificate.subjectAlternativeName)) return false
  if (signer.issuer !== undefined && signer.issuer !== certificate.issuer) return false
  const globs: [string | undefined, string | null][] = [
    [signer.repository, certificate.repository],
    [signer.workflow, certificate.workflow],
    [signer.ref, certificate.ref],
  ]
  return globs.every(([glob, value]) => glob === undefined || (value !== null && matchesGlob(glob, value)))
}

/** The checks that judge a signature itself, whatever carries it (`publish: bundle-signature` in npm's pairs). */
const SIGNATURE_CHECK = /(^|: )(envelope|link|bundle|message)-signature$|^signature$/

/**
 * Why the signer's identity cannot be judged, or null when it can: only a signature that verified with a key or
 * certificate this server trusts establishes who signed. Judging it anyway would fail a trusted signer whose
 * signature was altered, with expected and found reading the same.
 */
function signerNotEstablished(verification: Verification): string | null {
  const signature = verification.checks.find((check) => SIGNATURE_CHECK.test(check.name) && !check.ok)
  if (signature?.name === 'signature') return 'the document carries no signature, so there is no signer to judge'
  if (signature) return `the ${signature.name} check ${signature.notJudged === undefined ? 'failed' : 'could not be judged'}, so who signed is not established`
  if (!verification.signers.some((signer) => signer.trustedKeyId !== null)) return 'no key or certificate authority this server trusts vouches for the signer, so who signed is not established'
  return null
}

function actualSigner(verification: Verification, certificate: CertificateFacts | null): string {
  if (certificate) return `certificate for ${certificate.subjectAlternativeName ?? '(no SAN)'} from ${certificate.issuer ?? '(no issuer)'}`
  const keys = verification.signers.map((signer) => signer.trustedKeyId ?? signer.keyId ?? '(unnamed key)')
  return keys.length > 0 ? `key ${keys.join(', ')}` : 'no signer'
}

/**
 * Adds the checks a project's policy asks for to a verification. A policy check that fails turns a
 * `verified` document into `failed`; other statuses already say the document cannot be trusted, and keep
 * their status with the policy's findings listed beside it.
 */
export function applyPolicy(verification: Verification, policy: Policy | null, subject: PolicySubject): Verification {
  if (!policy) return verification
  const checks: Check[] = []
  if (policy.signers.length > 0) {
    const expected = `signed by ${policy.signers.map(describeSigner).join(' or ')} (policy ${policy.name})`
    const notJudged = signerNotEstablished(verification)
    checks.push(
      notJudged === null
        ? { name: 'signer-identity', ok: policy.signers.some((signer) => signerMatches(signer, verification, subject.certificate)), expected, actual: actualSigner(verification, subject.certificate) }
        : { name: 'signer-identity', ok: false, expected, actual: `not judged: ${notJudged}`, notJudged },
    )
  }
  if (policy.builders.length > 0) {
    checks.push({
      name: 'builder-id',
      ok: subject.builderId !== null && policy.builders.some((glob) => matchesGlob(glob, subject.builderId ?? '')),
      expected: `one of ${policy.builders.join(', ')} (policy ${policy.name})`,
      actual: subject.builderId ?? 'no builder id',
    })
  }
  if (policy.buildTypes.length > 0) {
    checks.push({
      name: 'build-type',
      ok: subject.buildType !== null && policy.buildTypes.some((glob) => matchesGlob(glob, subject.buildType ?? '')),
      expected: `one of ${policy.buildTypes.join(', ')} (policy ${policy.name})`,
      actual: subject.buildType ?? 'no build type',
    })
  }
  for (const required of policy.requiredChecks) {
    const found = verification.checks.find((check) => check.name === required)
    checks.push({
      name: `required:${required}`,
      ok: found?.ok === true,
      expected: `check ${required} present and passing (policy ${policy.name})`,
      actual: found ? (found.ok ? 'passed' : found.notJudged === undefined ? 'failed' : `not judged: ${found.notJudged}`) : 'not performed for this document',
    })
  }
  if (checks.length === 0) return verification
  const failed = checks.filter((check) => !check.ok && check.notJudged === undefined)
  const status = verification.status === 'verified' && failed.length > 0 ? 'failed' : verification.status
  return {
    ...verification,
    status,
    failedCheck: status === 'failed' ? (verification.failedCheck ?? failed[0]?.name ?? null) : null,
    // Failures first (the document's own, then the policy's), then what could not be judged, then what passed.
    checks: readingOrder([...verification.checks, ...checks]),
  }
}
