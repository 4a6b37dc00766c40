import { BuildId, type VerificationStatus } from '../src/contract/common'
import type { DeployedProvenance, EnvironmentList } from '../src/contract/deployments'
import { latestByRebuilder } from './reproducibility'

/*
 * Whether a deployed digest can be traced, proven, back to a source commit: the rule behind the "deployed without
 * verified provenance" flag, the artifact node's facts in the lineage graph and "what runs now". Written once; the
 * server's store and the mocks gather the facts and ask this.
 */

/** A build whose provenance lists the digest as a subject. */
export type ProvenanceFact = {
  id: string
  status: VerificationStatus
  failedCheck: string | null
  sourceRepo: string | null
  sourceCommit: string | null
  time: number
}

/** A rebuild verdict about the digest. */
export type RebuildFact = { rebuilderId: string | null; verdict: 'match' | 'mismatch'; time: number }

/** Most trustworthy first: a verified claim beats an unchecked one, which beats one that failed. */
const rank: Record<VerificationStatus, number> = { verified: 0, untrusted: 1, unverifiable: 2, unsigned: 3, failed: 4 }

export const shortCommit = (commit: string): string => commit.slice(0, 7)

/** `owner/repo` from a source URI (`git+https://github.com/acme/api@refs/…` → `acme/api`), else the URI. */
export function repoLabel(repo: string | null): string | null {
  if (repo === null) return null
  const match = /github\.com[/:]([^/@]+\/[^/@.]+)/.exec(repo)
  return match?.[1] ?? repo
}

/** The build to show for a digest: verified with a commit first, then by status, then newest. */
export function bestProvenance<T extends ProvenanceFact>(builds: readonly T[]): T | null {
  let best: T | null = null
  const score = (build: T) => rank[build.status] * 2 + (build.status === 'verified' && build.sourceCommit === null ? 1 : 0)
  for (const build of builds) {
    if (best === null || score(build) < score(best) || (score(build) === score(best) && (build.time > best.time || (build.time === best.time && build.id > best.id)))) {
      best = build
    }
  }
  return best
}

/**
 * A rebuilder's latest verdict is a mismatch (older mismatches it has since reproduced do not count). Unlike the
 * agreement count, a disagreement is a reason to look whoever claims it, as the lineage graph's failed edge is.
 */
export function rebuildDisagrees(rebuilds: readonly RebuildFact[]): boolean {
  const newestFirst = [...rebuilds].sort((a, b) => b.time - a.time)
  return latestByRebuilder(newestFirst).some((rebuild) => rebuild.verdict === 'mismatch')
}

const unverifiedReason: Record<Exclude<VerificationStatus, 'verified'>, string> = {
  failed: 'provenance failed verification',
  untrusted: 'provenance signed by a key nothing trusted vouches for',
  unsigned: 'provenance is not signed',
  unverifiable: 'provenance could not be checked: trust material is missing',
}

/** The provenance of one deployed digest, from every build naming it and every rebuild of it. */
export function judgeProvenance(builds: readonly ProvenanceFact[], rebuilds: readonly RebuildFact[]): DeployedProvenance {
  const best = bestProvenance(builds)
  const disagrees = rebuildDisagrees(rebuilds)
  const verifiedPath = best !== null && best.status === 'verified' && best.sourceCommit !== null
  let reason: string
  if (best === null) reason = 'no provenance names this digest'
  else if (verifiedPath && best.sourceCommit !== null) reason = `provenance verified, built from ${repoLabel(best.sourceRepo) ?? 'source'}@${shortCommit(best.sourceCommit)}`
  else if (best.status === 'verified') reason = 'provenance verified, but it names no source commit'
  else if (best.status === 'failed') reason = `${unverifiedReason.failed}${best.failedCheck ? ` (${best.failedCheck})` : ''}`
  else reason = unverifiedReason[best.status]
  if (disagrees) reason += '; a rebuild produced a different digest'
  return {
    status: best?.status ?? 'none',
    buildId: best === null ? null : BuildId.parse(best.id),
    sourceRepo: best?.sourceRepo ?? null,
    sourceCommit: best?.sourceCommit ?? null,
    verifiedPath,
    rebuildDisagrees: disagrees,
    reason,
  }
}

/** A deployment is flagged when any digest it deployed has no verified path back to a source commit. */
export const isFlagged = (provenance: readonly Pick<DeployedProvenance, 'verifiedPath'>[]): boolean =>
  provenance.some((entry) => !entry.verifiedPath)

/** The service a deployment is reported under: as given, else the first artifact's name, else the project, else the digest. */
export function serviceOf(input: { service?: string | undefined; artifacts: readonly { digest: string; name?: string | undefined }[] }, project: string | null): string {
  const first = input.artifacts[0]
  return input.service ?? first?.name ?? project ?? first?.digest.slice(0, 19) ?? 'unknown'
}

/** What runs now without a verified path back to a source commit: the flagged current deployment of each service, over all environments. */
export function unverifiedRunning(environments: EnvironmentList): number {
  return environments.items.reduce((sum, environment) => sum + environment.flagged, 0)
}
