import type { Verification } from '../src/contract/common'

/** The stored facts about one document that say when it was signed or its build ran (milliseconds). */
export type SigningFacts = {
  verification: Verification | null
  builds: readonly { started_at: number | null; finished_at: number | null }[]
  rebuilds: readonly { started_at: number | null; finished_at: number | null }[]
  /** A VSA's `timeVerified`. */
  verifiedAt: number | null
  /** When an SBOM says it was made (CycloneDX metadata.timestamp, SPDX created). */
  sbomCreatedAt?: number | null
}

/**
 * When a document was signed, as best its stored facts say; null when none does. A transparency log's integrated
 * time comes first because the log proves it; then what the document itself states: the build's finish (else
 * start) time, the rebuild's, a VSA's verification time, an SBOM's creation time. Stored in `documents.signed_at` at ingest and on
 * re-verification, and used by the mocks, so both list signatures by the same time.
 */
export function signingTime(facts: SigningFacts): number | null {
  const logged = (facts.verification?.transparencyLog ?? [])
    .map((entry) => (entry.integratedTime === null ? Number.NaN : Date.parse(entry.integratedTime)))
    .filter((ms) => !Number.isNaN(ms))
  if (logged.length > 0) return Math.min(...logged)
  for (const run of [...facts.builds, ...facts.rebuilds]) {
    const time = run.finished_at ?? run.started_at
    if (time !== null) return time
  }
  return facts.verifiedAt ?? facts.sbomCreatedAt ?? null
}
