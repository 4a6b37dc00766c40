import { describe, expect, it } from 'vitest'
import { agreement, currentStreak, rowAgreement, streakFactsOf, UNKNOWN_REBUILDER } from './reproducibility'

describe('agreement', () => {
  const verified = 'verified' as const
  it("counts each rebuilder once, with its latest verdict (newest first)", () => {
    const rebuilds = [
      { rebuilderId: 'a', verdict: 'match' as const, status: verified },
      { rebuilderId: 'b', verdict: 'mismatch' as const, status: verified },
      { rebuilderId: 'a', verdict: 'mismatch' as const, status: verified },
      { rebuilderId: 'c', verdict: 'match' as const, status: verified },
    ]
    expect(agreement(rebuilds)).toEqual({ rebuilders: 3, matched: 2, mismatched: 1, notCounted: 0 })
  })

  it('files verdicts without a rebuilder under one unknown rebuilder', () => {
    expect(agreement([{ rebuilderId: null, verdict: 'mismatch', status: verified }, { rebuilderId: null, verdict: 'match', status: verified }])).toEqual({ rebuilders: 1, matched: 0, mismatched: 1, notCounted: 0 })
    expect(UNKNOWN_REBUILDER).toBe('unknown rebuilder')
  })

  it('counts only verified verdicts: untrusted, failed or unverifiable ones are claims, counted apart', () => {
    const rebuilds = [
      { rebuilderId: 'rogue', verdict: 'match' as const, status: 'untrusted' as const },
      { rebuilderId: 'a', verdict: 'match' as const, status: 'failed' as const },
      { rebuilderId: 'a', verdict: 'mismatch' as const, status: verified },
      { rebuilderId: 'b', verdict: 'match' as const, status: verified },
      { rebuilderId: 'c', verdict: 'match' as const, status: 'unverifiable' as const },
    ]
    // a's newest verdict is a tampered "match": its latest verified verdict, a mismatch, is what counts.
    expect(agreement(rebuilds)).toEqual({ rebuilders: 2, matched: 1, mismatched: 1, notCounted: 3 })
    expect(agreement([{ rebuilderId: 'rogue', verdict: 'match', status: 'untrusted' }])).toEqual({ rebuilders: 0, matched: 0, mismatched: 0, notCounted: 1 })
  })

  it('is zero of zero with no rebuilds', () => {
    expect(agreement([])).toEqual({ rebuilders: 0, matched: 0, mismatched: 0, notCounted: 0 })
  })
})

describe('rowAgreement', () => {
  it('counts matching cells among the cells that have a verdict', () => {
    const verified = 'verified' as const
    expect(rowAgreement([{ verdict: 'match', status: verified }, null, { verdict: 'mismatch', status: verified }, { verdict: 'match', status: verified }])).toEqual({ agree: 2, total: 3 })
    expect(rowAgreement([null, null])).toEqual({ agree: 0, total: 0 })
  })

  it('counts only cells whose verdict verified: a claim is shown, not counted', () => {
    expect(rowAgreement([{ verdict: 'match', status: 'verified' }, { verdict: 'match', status: 'untrusted' }, { verdict: 'mismatch', status: 'failed' }])).toEqual({ agree: 1, total: 1 })
  })
})

describe('currentStreak', () => {
  it('is the run of the newest verdict, counted from the newest', () => {
    expect(currentStreak(streakFactsOf(['match', 'match', 'mismatch', 'match']))).toEqual({ verdict: 'match', length: 2 })
    expect(currentStreak(streakFactsOf(['mismatch', 'match']))).toEqual({ verdict: 'mismatch', length: 1 })
  })

  it('is every verdict when none differs, and null when there are none', () => {
    expect(currentStreak(streakFactsOf(['match', 'match', 'match']))).toEqual({ verdict: 'match', length: 3 })
    expect(currentStreak(streakFactsOf([]))).toBeNull()
  })

  it('reads the same from facts a store gathers with counts and one seek', () => {
    expect(currentStreak({ newest: 'match', matched: 10, mismatched: 2, sinceOther: 7 })).toEqual({ verdict: 'match', length: 7 })
    expect(currentStreak({ newest: 'mismatch', matched: 0, mismatched: 4, sinceOther: null })).toEqual({ verdict: 'mismatch', length: 4 })
  })
})
