/*
 * The files a build wrote, as an attestation's subjects name them, and how a set of files on disk compares with
 * them. Used by the build's own provenance (scripts/provenance.ts) and by the server when it shows its own build.
 */

/** Where a build keeps its own attestations; they describe the rest of dist/, so they are not among its subjects. */
export const ATTESTATIONS_DIR = 'dist/attestations'

/** The build's attestations, by what they are (paths from the repository root). */
export const attestationFiles = {
  /** The CycloneDX SBOM, bare, as `npm run sbom` writes it. */
  sbom: `${ATTESTATIONS_DIR}/sbom.cdx.json`,
  /** The same SBOM as a signed in-toto Statement about the outputs. */
  sbomEnvelope: `${ATTESTATIONS_DIR}/sbom.cdx.dsse.json`,
  /** SLSA v1 provenance in a signed DSSE envelope. */
  provenance: `${ATTESTATIONS_DIR}/provenance.dsse.json`,
} as const

/** One output file: its path from the repository root (`dist/assets/index-….js`) and its SHA-256 in hex. */
export type OutputFile = { name: string; sha256: string }

/** An in-toto subject as far as this comparison needs it. */
export type OutputSubject = { name: string; digest: Record<string, string> }

export type OutputComparison = {
  /** Subjects whose file is present with the same SHA-256. */
  matched: string[]
  /** Present, but not the bytes that were attested. */
  changed: { name: string; expected: string; actual: string }[]
  /** Attested, but no such file. */
  missing: string[]
  /** Files that no subject names: shipped without being attested. */
  unlisted: string[]
  /** Subjects that carry no SHA-256, so they cannot be compared. */
  undigested: string[]
}

/** Plain code-unit order, never the locale's: the same list on every machine. */
export const byName = <T extends { name: string }>(a: T, b: T): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)

/** Compares what is on disk with what was attested, file by file; every list is sorted by name. */
export function compareOutputs(subjects: readonly OutputSubject[], files: readonly OutputFile[]): OutputComparison {
  const onDisk = new Map(files.map((file) => [file.name, file.sha256.toLowerCase()]))
  const named = new Set<string>()
  const result: OutputComparison = { matched: [], changed: [], missing: [], unlisted: [], undigested: [] }
  for (const subject of [...subjects].sort(byName)) {
    named.add(subject.name)
    const expected = subject.digest.sha256?.toLowerCase()
    const actual = onDisk.get(subject.name)
    if (expected === undefined) result.undigested.push(subject.name)
    else if (actual === undefined) result.missing.push(subject.name)
    else if (actual === expected) result.matched.push(subject.name)
    else result.changed.push({ name: subject.name, expected, actual })
  }
  result.unlisted = files
    .filter((file) => !named.has(file.name))
    .map((file) => file.name)
    .sort()
  return result
}

/** True when every attested file is present with its bytes and nothing unattested ships beside them. */
export function outputsMatch(comparison: OutputComparison): boolean {
  return comparison.changed.length === 0 && comparison.missing.length === 0 && comparison.unlisted.length === 0 && comparison.undigested.length === 0
}

/** One line a difference, for logs and the command line, at most `limit` and then how many more; empty when everything matches. */
export function describeComparison(comparison: OutputComparison, limit = Number.POSITIVE_INFINITY): string[] {
  const lines = [
    ...comparison.changed.map((file) => `${file.name}: SHA-256 ${file.actual} on disk, ${file.expected} attested`),
    ...comparison.missing.map((name) => `${name}: attested, but not on disk`),
    ...comparison.unlisted.map((name) => `${name}: on disk, but not attested`),
    ...comparison.undigested.map((name) => `${name}: attested without a SHA-256, so it cannot be compared`),
  ]
  return lines.length > limit ? [...lines.slice(0, limit), `… and ${lines.length - limit} more`] : lines
}

/** The build's manifest in `sha256sum` format (`<hex>  <name>` a line, sorted by name): its SHA-256 names a whole build. */
export function manifestText(files: readonly OutputFile[]): string {
  return [...files]
    .sort(byName)
    .map((file) => `${file.sha256}  ${file.name}\n`)
    .join('')
}
