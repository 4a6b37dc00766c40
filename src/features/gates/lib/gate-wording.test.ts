import { describe, expect, it } from 'vitest'
import { decisionHeadline, failedConditionSentence } from './gate-wording'

const reason = (rule: string, expected: string, actual: string) => ({ rule, ok: false, expected, actual, evidence: [] })

describe('failedConditionSentence', () => {
  it('says each failed condition in words, what was found then what the policy needs', () => {
    expect(failedConditionSentence(reason('rebuilders-agree', 'at least 2 rebuilders reproduce it and none disagrees', '2 of 3 rebuilders agree, 1 disagree'))).toBe(
      'Rebuilders do not agree: 2 of 3 rebuilders agree, 1 disagree; the policy needs at least 2 rebuilders reproduce it and none disagrees.',
    )
    expect(failedConditionSentence(reason('promotion-order', 'deployed to staging before production', 'never deployed to staging'))).toBe(
      'Promotion order not kept: never deployed to staging; the policy needs it deployed to staging before production.',
    )
    expect(failedConditionSentence(reason('attestations-present', 'a verified SBOM about the artifact', 'no SBOM names the artifact'))).toBe(
      'Missing a required attestation: no SBOM names the artifact; the policy needs a verified SBOM about the artifact.',
    )
    expect(failedConditionSentence(reason('attestations-present', 'a verified VSA about the artifact whose result is PASSED', 'VSA from https://v.example at 2026-11-13T00:00:00.000Z: FAILED, document verified'))).toBe(
      'A required attestation does not satisfy the policy: VSA from https://v.example at 2026-11-13T00:00:00.000Z: FAILED, document verified; the policy needs a verified VSA about the artifact whose result is PASSED.',
    )
    expect(failedConditionSentence(reason('provenance-verified', 'x', 'build 0123456789ab is failed (failed envelope-signature)'))).toBe(
      'Provenance is not verified: build 0123456789ab is failed (failed envelope-signature).',
    )
    expect(failedConditionSentence(reason('future-rule', 'this', 'that'))).toBe('future-rule failed: that; expected this.')
  })

  it('heads a decision with its answer, environment and policy', () => {
    expect(decisionHeadline('allow', 'release', 'production')).toBe('Allowed to production under policy release')
    expect(decisionHeadline('deny', 'release', null)).toBe('Denied under policy release')
  })
})
