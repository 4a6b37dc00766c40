import type { Rebuild, RebuildVerdict } from '../src/contract/rebuilds'
import type { Streak } from '../src/contract/reproducibility'
import type { z } from 'zod'

/*
 * The judgements of reproducibility, written once: the server's store gathers the facts with SQL and the mocks
 * from their in-memory demo, and both ask these functions what the facts mean.
 */

/** How a verdict without a named rebuilder (a bare diffoscope report) is listed. */
export const UNKNOWN_REBUILDER = 'unknown rebuilder'

export const rebuilderOf = (rebuild: Pick<Rebuild, 'rebuilderId'>): string => rebuild.rebuilderId ?? UNKNOWN_REBUILDER

export type Agreement = {
  rebuilders: number
  matched: number
  mismatched: number
  /** Verdicts whose document did not verify with a trusted key (untrusted, failed, …): claims, listed but not counted. */
  notCounted: number
}

/**
 * "k of n rebuilders agree": only verdicts whose rebuild attestation verified count, since anyone can sign a
 * verdict with a key of their own; each rebuilder counts once, with its latest verified verdict (an older
 * mismatch that the same rebuilder has since reproduced no longer counts against the artifact). Every other
 * verdict is a claim, counted in `notCounted` so the summary can say how many were left out. Newest first.
 */
/** Each rebuilder's newest verdict, from verdicts listed newest first. */
export function latestByRebuilder<T extends Pick<Rebuild, 'rebuilderId'>>(rebuilds: readonly T[]): T[] {
  const latest = new Map<string, T>()
  for (const rebuild of rebuilds) {
    const key = rebuilderOf(rebuild)
    if (!latest.has(key)) latest.set(key, rebuild)
  }
  return [...latest.values()]
}

export function agreement(rebuilds: readonly Pick<Rebuild, 'rebuilderId' | 'verdict' | 'status'>[]): Agreement {
  const counted = rebuilds.filter((rebuild) => rebuild.status === 'verified')
  const verdicts = latestByRebuilder(counted).map((rebuild) => rebuild.verdict)
  return {
    rebuilders: verdicts.length,
    matched: verdicts.filter((verdict) => verdict === 'match').length,
    mismatched: verdicts.filter((verdict) => verdict === 'mismatch').length,
    notCounted: rebuilds.length - counted.length,
  }
}

/**
 * A matrix row's agreement: how many rebuilders' latest verdicts match, out of those with a verified verdict (a
 * cell whose document did not verify is a claim, shown but not counted, as in `agreement`).
 */
export function rowAgreement(cells: readonly ({ verdict: RebuildVerdict; status: Rebuild['status'] } | null)[]): { agree: number; total: number } {
  const counted = cells.filter((cell) => cell?.status === 'verified')
  return { agree: counted.filter((cell) => cell?.verdict === 'match').length, total: counted.length }
}

/**
 * What a current streak is decided from, as a store can find it without reading every verdict: the newest
 * verdict, the totals, and how many verdicts are newer than the newest one of the other kind (null: none).
 */
export type StreakFacts = { newest: RebuildVerdict | null; matched: number; mismatched: number; sinceOther: number | null }

/** Verdicts in a row with the newest one's value, counted from the newest; null with no verdicts. */
export function currentStreak(facts: StreakFacts): z.infer<typeof Streak> | null {
  if (facts.newest === null) return null
  const others = facts.newest === 'match' ? facts.mismatched : facts.matched
  const length = others === 0 || facts.sinceOther === null ? facts.matched + facts.mismatched : facts.sinceOther
  return { verdict: facts.newest, length }
}

/** The streak facts of verdicts held in memory, newest first. */
export function streakFactsOf(verdicts: readonly RebuildVerdict[]): StreakFacts {
  const newest = verdicts[0] ?? null
  const firstOther = newest === null ? -1 : verdicts.findIndex((verdict) => verdict !== newest)
  return {
    newest,
    matched: verdicts.filter((verdict) => verdict === 'match').length,
    mismatched: verdicts.filter((verdict) => verdict === 'mismatch').length,
    sinceOther: firstOther === -1 ? null : firstOther,
  }
}
