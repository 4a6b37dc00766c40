/** The median of a list of numbers (the mean of the middle two for an even count); NaN when empty. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN
  // A typed array sorts numerically in native code, several times faster than a comparator over a plain array;
  // the rules take a median of a couple of hundred durations for every build ingested.
  const sorted = Float64Array.from(values).sort()
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? (sorted[middle] ?? Number.NaN) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2
}

/** Median absolute deviation: the median distance from the median, which a few wild values cannot drag. */
export function medianAbsoluteDeviation(values: readonly number[], centre = median(values)): number {
  return median(values.map((value) => Math.abs(value - centre)))
}

/**
 * The modified z-score of Iglewicz and Hoaglin: 0.6745 × (x − median) / MAD, comparable to a z-score on normal
 * data. With MAD 0 (most values equal) any other value is infinitely far, so the caller needs a floor.
 */
export function robustZ(value: number, centre: number, mad: number): number {
  return (0.6745 * (value - centre)) / mad
}

/** The most common value and its share of the list, or null when empty; ties go to the most recent (first). */
export function mode<T>(values: readonly T[]): { value: T; count: number; share: number } | null {
  const counts = new Map<T, number>()
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1)
  let best: { value: T; count: number } | null = null
  for (const [value, count] of counts) if (best === null || count > best.count) best = { value, count }
  return best === null ? null : { ...best, share: best.count / values.length }
}
