import type { GateReason } from '../../../contract/gate'

/**
 * One failed gate condition in words, for people: what was wrong, then what the policy asks for. The reason's
 * `actual` and `expected` come from the server (built from stored documents), so they are shown as text only.
 */
export function failedConditionSentence(reason: GateReason): string {
  switch (reason.rule) {
    case 'provenance-verified':
      return `Provenance is not verified: ${reason.actual}.`
    case 'builder-allowed':
      return `Built by a builder the policy does not allow: ${reason.actual} (allowed: ${reason.expected.replace(/^built by one of /, '')}).`
    case 'attestations-present':
      // Absent, or present and not good enough (unsigned, FAILED, from another verifier): the words differ.
      return /^no .* names the artifact$/.test(reason.actual)
        ? `Missing a required attestation: ${reason.actual}; the policy needs ${reason.expected}.`
        : `A required attestation does not satisfy the policy: ${reason.actual}; the policy needs ${reason.expected}.`
    case 'rebuilders-agree':
      return `Rebuilders do not agree: ${reason.actual}; the policy needs ${reason.expected}.`
    case 'no-blocking-alerts':
      return `Blocked by open alerts: ${reason.actual}.`
    case 'promotion-order':
      return `Promotion order not kept: ${reason.actual}; the policy needs it ${reason.expected}.`
    default:
      return `${reason.rule} failed: ${reason.actual}; expected ${reason.expected}.`
  }
}

/** The decision's headline: `Allowed to production under policy release` or `Denied under policy release`. */
export function decisionHeadline(decision: 'allow' | 'deny', policy: string, environment: string | null): string {
  return `${decision === 'allow' ? 'Allowed' : 'Denied'}${environment === null ? '' : ` to ${environment}`} under policy ${policy}`
}
