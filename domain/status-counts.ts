import { verificationStatuses, type VerificationStatus } from '../src/contract/common'
import type { StatusCounts } from '../src/contract/signatures'

/** Every status at zero: a count the screens can read without asking whether a status was seen. */
export const emptyCounts = (): StatusCounts => Object.fromEntries(verificationStatuses.map((status) => [status, 0])) as StatusCounts

/**
 * Verification results counted by status. Rows may carry a pre-counted `count` (a GROUP BY) or stand for one
 * document each; a status this version does not know is left out rather than counted under another.
 */
export function countStatuses(rows: Iterable<{ status: string; count?: number | string | bigint }>): StatusCounts {
  const counts = emptyCounts()
  const known = new Set<string>(verificationStatuses)
  for (const row of rows) {
    if (!known.has(row.status)) continue
    counts[row.status as VerificationStatus] += row.count === undefined ? 1 : Number(row.count)
  }
  return counts
}
