import { splitDigest } from './digests'

/** How a search may be read, in the order to try: the first reading that finds something answers. */
export type SearchReading = 'build-id' | 'commit' | 'digest' | 'text'

const HEX = /^[0-9a-f]+$/
const ALGORITHM_HEX = /^[a-z0-9-]+:[0-9a-f]+$/
/** Fewer hex characters than this name too many things to be read as a digest prefix. */
export const MIN_DIGEST_PREFIX = 12

/**
 * The readings of a query, most specific first: 64 hex characters may be a build id, 40 a commit, 12 or more a
 * digest or its prefix (also `algorithm:hex`); anything else is text (names, purls, signers). Text always ends
 * the list so a query that names nothing as a digest is still searched as a name.
 */
export function searchReadings(q: string): SearchReading[] {
  const lower = q.trim().toLowerCase()
  const readings: SearchReading[] = []
  const bareHex = HEX.test(lower)
  if (bareHex && lower.length === 64) readings.push('build-id')
  if (bareHex && lower.length === 40) readings.push('commit')
  if ((bareHex && lower.length >= MIN_DIGEST_PREFIX) || (ALGORITHM_HEX.test(lower) && splitDigest(lower).value.length >= MIN_DIGEST_PREFIX)) {
    // A digest reading answers even when it finds nothing: a hex string is not a name.
    return [...readings, 'digest']
  }
  return [...readings, 'text']
}
