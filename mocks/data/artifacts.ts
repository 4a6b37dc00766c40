import { ArtifactDetail, type ArtifactAttestation } from '../../src/contract/artifacts'
import { splitDigest } from '../../domain/digests'
import { agreement } from '../../domain/reproducibility'
import { newestFirst, verdictsNewestFirst, type DemoIndex } from './demo-index'
import { buildAttestation, rebuildAttestation, sigstoreAttestation, toSummary } from './factories'
import { artifactDeployments } from './lineage-deployments'

/** The artifact a sha256 digest (full, bare or a prefix) names in the demo, or null. */
export function demoArtifact(index: DemoIndex, digest: string): ArtifactDetail | null {
  const { algorithm, value } = splitDigest(digest)
  if (algorithm !== null && algorithm !== 'sha256') return null
  const entry = index.artifacts.get(value) ?? [...index.artifacts.values()].find((candidate) => candidate.sha256.startsWith(value))
  if (!entry) return null
  const builds = [...entry.builds].sort(newestFirst)
  const newest = builds[0] ?? null
  const verdicts = [...verdictsNewestFirst(index.rebuildsByArtifact.get(entry.sha256) ?? [])]
  const rebuilds = verdicts.map((verdict) => verdict.rebuild())
  // The SBOMs describing it, most recently ingested first: the server reports the newest and lists them all.
  const sboms = index.sbomsByArtifact.get(entry.sha256) ?? []
  // As the server lists them: provenance first, then SBOMs, then rebuild attestations; within each, newest ingest first.
  const byIngest = (list: ArtifactAttestation[]) =>
    list.sort((a, b) => (a.ingestedAt < b.ingestedAt ? 1 : a.ingestedAt > b.ingestedAt ? -1 : a.documentId < b.documentId ? -1 : 1))
  return ArtifactDetail.parse({
    digest: `sha256:${entry.sha256}`,
    digests: { sha256: entry.sha256 },
    names: [...entry.names],
    producedBy: newest ? toSummary(newest) : null,
    builds: builds.slice(0, 20).map(toSummary),
    attestations: [
      ...byIngest(builds.flatMap((build) => [buildAttestation(build), ...(build.project === 'acme/cli' ? [sigstoreAttestation(build)] : [])])),
      ...byIngest(sboms.map((sbom) => sbom.attestation())),
      ...byIngest(verdicts.map((verdict) => rebuildAttestation(verdict.facts))),
    ],
    sbom: sboms[0]?.sbom() ?? null,
    rebuilds,
    reproducibility: agreement(rebuilds),
    deployments: artifactDeployments(index, entry.sha256),
  })
}
