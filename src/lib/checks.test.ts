import { describe, expect, it } from 'vitest'
import { checkQuestion, expectedVersusActual, firstFailure, orderChecks } from './checks'

describe('orderChecks', () => {
  it('puts failing checks first and keeps the order within each group', () => {
    const checks = [
      { name: 'a', ok: true },
      { name: 'b', ok: false },
      { name: 'c', ok: true },
      { name: 'd', ok: false },
    ]
    expect(orderChecks(checks).map((check) => check.name)).toEqual(['b', 'd', 'a', 'c'])
    expect(checks.map((check) => check.name)).toEqual(['a', 'b', 'c', 'd'])
  })
})

describe('check explanations', () => {
  it('finds the first failure in run order', () => {
    expect(firstFailure([{ name: 'a', ok: true }, { name: 'b', ok: false }, { name: 'c', ok: false }])?.name).toBe('b')
    expect(firstFailure([{ name: 'a', ok: true }])).toBeNull()
  })
  it('says expected versus actual in words', () => {
    expect(expectedVersusActual({ name: 'x', ok: false, expected: 'key A', actual: 'key B' })).toBe('Expected key A, but found key B.')
    expect(expectedVersusActual({ name: 'x', ok: true, expected: 'key A', actual: 'key A' })).toBe('Expected key A, and found key A.')
    expect(expectedVersusActual({ name: 'x', ok: true })).toBeNull()
  })
  it('names what a check asks, known or not', () => {
    expect(checkQuestion('signer-trusted')).toMatch(/trusts/)
    expect(checkQuestion('required:envelope-signature')).toMatch(/policy requires/)
    expect(checkQuestion('custom')).toBe('Did the custom check pass?')
    // The checks of cosign signatures, Rekor entries posted on their own and timestamps have their own questions.
    expect(checkQuestion('image-digest')).toBe('Does the signature name the image it is attached to?')
    expect(checkQuestion('log-evidence')).toBe('Where did the transparency-log entry come from?')
    expect(checkQuestion('timestamp')).toMatch(/timestamp authority/)
  })
  it('asks of the passing checks that list tolerated fields what a yes means: read, with those fields set aside', () => {
    expect(checkQuestion('fields-ignored')).toBe('Could the document be read with its malformed fields set aside?')
    expect(checkQuestion('provenance-fields-ignored')).toBe('Could the build provenance be read with its malformed fields set aside?')
  })
})
