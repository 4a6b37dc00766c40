import type { ArtifactAttestation } from '../../../contract/artifacts'

const rank = { failed: 0, untrusted: 1, unverifiable: 2, unsigned: 3, verified: 4 } as const

/** Problems first (a failed attestation is the one to read), then newest first. Does not change the input. */
export function orderAttestations(attestations: readonly ArtifactAttestation[]): ArtifactAttestation[] {
  return [...attestations].sort(
    (a, b) => rank[a.verification.status] - rank[b.verification.status] || (a.ingestedAt === b.ingestedAt ? 0 : a.ingestedAt < b.ingestedAt ? 1 : -1),
  )
}

/**
 * Which attestation a `?document=…#check-…` link is about: the named document; else the first with that check
 * failing; else the first with that check at all; else none.
 */
export function targetAttestation(attestations: readonly ArtifactAttestation[], document: string | null, check: string | null): string | null {
  if (document !== null && attestations.some((attestation) => attestation.documentId === document)) return document
  if (check === null) return null
  const failing = attestations.find((attestation) => attestation.verification.checks.some((candidate) => candidate.name === check && !candidate.ok))
  const any = attestations.find((attestation) => attestation.verification.checks.some((candidate) => candidate.name === check))
  return (failing ?? any)?.documentId ?? null
}
