/*
 * The store keeps prepared statements by their SQL text (server/store/statement-cache.ts), and Kysely compiles every
 * query afresh. A list of values bound into `in (…)` or a multi-row insert makes a new text for every length, so each
 * evaluation batch prepared (and pushed out of the cache) statements of hundreds of parameters that were never
 * used again: that was a large part of what evaluation spent in the database. These keep the texts to a few shapes.
 */

/** The sizes an `in (…)` list is padded to: powers of two up to 256, then the chunk size callers use (500). */
const LIST_SIZES = [1, 2, 4, 8, 16, 32, 64, 128, 256, 500] as const

/**
 * `values` (at most 500) padded to the next list size by repeating its last value: the same set for `in (…)`, with
 * one of ten statement texts. An empty list stays empty.
 */
export function paddedList<T>(values: readonly T[]): T[] {
  const last = values.at(-1)
  if (last === undefined) return []
  if (values.length > 500) throw new RangeError(`paddedList takes at most 500 values, not ${values.length}`)
  const size = LIST_SIZES.find((candidate) => candidate >= values.length) ?? 500
  const out = [...values]
  while (out.length < size) out.push(last)
  return out
}

/**
 * `rows` in consecutive chunks whose sizes are powers of two no larger than `max` (itself a power of two), largest
 * first: a multi-row insert of any length in a handful of statement texts. Rows keep their order.
 */
export function binaryChunks<T>(rows: readonly T[], max: number): T[][] {
  const chunks: T[][] = []
  let offset = 0
  for (let size = max; size >= 1; size /= 2) {
    while (rows.length - offset >= size) {
      chunks.push(rows.slice(offset, offset + size))
      offset += size
    }
  }
  return chunks
}
