import { splitDigest } from './digests'

/**
 * How a search may be read, in the order to try: the first reading that finds something answers.
 * `commit-prefix` and `build-id-prefix` are the short forms the tables show (`3f2a9c1`, `3f2a9c1e07b4`).
 */
export type SearchReading = 'build-id' | 'commit' | 'commit-prefix' | 'build-id-prefix' | 'digest' | 'text'

const HEX = /^[0-9a-f]+$/
const ALGORITHM_HEX = /^[a-z0-9-]+:[0-9a-f]+$/
/** Fewer hex characters than this name too many things to be read as a digest prefix. */
export const MIN_DIGEST_PREFIX = 12
/** Git's own shortest abbreviation: fewer characters than this name too many commits (and build ids). */
export const MIN_COMMIT_PREFIX = 7
const COMMIT_LENGTH = 40
const BUILD_ID_LENGTH = 64

/**
 * The readings of a query, most specific first: 64 hex characters may be a build id, 40 a commit; 7 or more a
 * short commit or a build id prefix; 12 or more a digest or its prefix (also `algorithm:hex`); anything else is
 * text (names, purls, signers). A hex string too short for a digest still ends in text, so a name that happens
 * to be hex (`deadbeef`) is found when no commit or build starts with it.
 */
export function searchReadings(q: string): SearchReading[] {
  const lower = q.trim().toLowerCase()
  const readings: SearchReading[] = []
  const bareHex = HEX.test(lower)
  if (bareHex && lower.length === BUILD_ID_LENGTH) readings.push('build-id')
  if (bareHex && lower.length === COMMIT_LENGTH) readings.push('commit')
  if (bareHex && lower.length >= MIN_COMMIT_PREFIX && lower.length < COMMIT_LENGTH) readings.push('commit-prefix')
  if (bareHex && lower.length >= MIN_COMMIT_PREFIX && lower.length < BUILD_ID_LENGTH) readings.push('build-id-prefix')
  if ((bareHex && lower.length >= MIN_DIGEST_PREFIX) || (ALGORITHM_HEX.test(lower) && splitDigest(lower).value.length >= MIN_DIGEST_PREFIX)) {
    // A digest reading answers even when it finds nothing: a long hex string is not a name.
    return [...readings, 'digest']
  }
  return [...readings, 'text']
}

/** The line under a project found by text: how many builds it has. */
export function projectSummary(builds: number): string {
  return `project with ${builds.toLocaleString('en-US')} build${builds === 1 ? '' : 's'}`
}

/** A signer found by search: how many documents it signed, counted to 1,000 (a busy signer's exact count costs a scan). */
export function signerSummary(documents: number): string {
  return `signer of ${documents >= 1000 ? '1,000+' : documents} document${documents === 1 ? '' : 's'}`
}

/** How many results a name shared by several artifacts lists, newest first, after its summary line. */
export const MAX_NAME_ARTIFACTS = 10

/** The line that says how many artifacts share a name: never just the newest one, silently. `artifacts` null: not counted. */
export function nameSummary(name: string, artifacts: number | null, artifactsCapped: boolean, builds: number, buildsCapped: boolean): string {
  const plural = (n: number, capped: boolean, word: string) =>
    `${capped ? `${n.toLocaleString('en-US')}+` : n.toLocaleString('en-US')} ${word}${n === 1 && !capped ? '' : 's'}`
  return `${artifacts === null ? 'artifacts' : plural(artifacts, artifactsCapped, 'artifact')} named ${name} from ${plural(builds, buildsCapped, 'build')}`
}

/**
 * Builds counted for a name, at most: "1,000+" says as much as the exact figure. A name typed exactly is counted
 * further than each of the (up to 20) names a prefix finds, so a prefix search stays a few index ranges.
 */
export const nameCountCap = (exact: boolean): number => (exact ? 1000 : 100)
