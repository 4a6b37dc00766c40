import type { DigestSet, Subject } from '../../src/contract/common'

/*
 * Which artifacts an SBOM describes. Two rules, both pure:
 *
 * 1. Its own words: the digests of the component it describes (CycloneDX metadata.component hashes, SPDX's
 *    described package checksums) and, when it came as an in-toto Statement, the Statement's subjects.
 *
 * 2. Its build (for an SBOM that names nothing by digest): when the SBOM file itself is a subject of a build,
 *    that is, the build lists a subject whose sha256 is the SHA-256 of the SBOM's bytes, the SBOM was written by
 *    that build, and it describes those of the build's other subjects that
 *      a. carry the described component's name or its package URL's name, whole or followed by a separator
 *         (`web` → `web-dist.tar.gz`, `cli` → `cli-linux-amd64`), else
 *      b. are the only other thing the build produced (besides SBOM files).
 *    Anything else is ambiguous and not linked: a wrong link would put one artifact's dependencies on another's
 *    page. An SBOM that names a digest is taken at its word and never linked through its build, since it already
 *    says what it is about.
 */

/** The facts of an SBOM that say what it is about. */
export type SbomDescription = {
  subject: { name: string | null; purl: string | null; digest: DigestSet }
  statementSubjects: readonly Subject[]
}

/** `algorithm:value` pairs, once each, of every digest the SBOM itself names. */
export function describedDigests(sbom: SbomDescription): { algorithm: string; value: string }[] {
  const digests = new Map<string, { algorithm: string; value: string }>()
  for (const digest of [sbom.subject.digest, ...sbom.statementSubjects.map((subject) => subject.digest)]) {
    for (const [algorithm, value] of Object.entries(digest)) digests.set(`${algorithm}:${value}`, { algorithm, value })
  }
  return [...digests.values()]
}

/** Names that mark a file as an SBOM (CycloneDX and SPDX conventions), which another SBOM does not describe. */
const SBOM_FILE = /(^|[./_-])(sbom|bom|cdx|spdx)([./_-]|$)/i

/** The name a package URL gives its package: `pkg:npm/%40acme/web@1.2.3` → `web`. */
export function purlName(purl: string): string | null {
  const match = /^pkg:[^/]+\/(?:[^@?#]*\/)?([^/@?#]+)/i.exec(purl.trim())
  if (match?.[1] === undefined) return null
  try {
    return decodeURIComponent(match[1])
  } catch {
    return match[1]
  }
}

/** A subject's name without its path: `dist/web.tar.gz` → `web.tar.gz`. */
const baseName = (name: string) => name.slice(name.lastIndexOf('/') + 1)

function carriesName(subject: string, name: string): boolean {
  const base = baseName(subject).toLowerCase()
  const wanted = name.toLowerCase()
  return base === wanted || (base.startsWith(wanted) && /^[-._@+]/.test(base.slice(wanted.length)))
}

/**
 * The subjects of one build that an SBOM describes because the SBOM file is among them (rule 2 above).
 * `fileSha256` is the SHA-256 of the SBOM's bytes; empty when the SBOM is not a subject of this build, or names
 * a digest of its own, or what it describes is ambiguous.
 */
export function sameBuildTargets(sbom: SbomDescription, fileSha256: string, buildSubjects: readonly Subject[]): Subject[] {
  if (describedDigests(sbom).length > 0) return []
  if (!buildSubjects.some((subject) => subject.digest.sha256 === fileSha256)) return []
  const candidates = buildSubjects.filter(
    (subject) => subject.digest.sha256 !== fileSha256 && Object.keys(subject.digest).length > 0 && !SBOM_FILE.test(baseName(subject.name)),
  )
  const names = [sbom.subject.name, sbom.subject.purl === null ? null : purlName(sbom.subject.purl)].filter((name): name is string => name !== null && name.trim() !== '' && name !== '.')
  const named = candidates.filter((subject) => names.some((name) => carriesName(subject.name, name)))
  if (named.length > 0) return named
  return candidates.length === 1 ? candidates : []
}
