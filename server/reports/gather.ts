import { AlertQuery, type Alert } from '../../src/contract/alerts'
import { BuildQuery } from '../../src/contract/builds'
import { DeploymentQuery } from '../../src/contract/deployments'
import type { ReportScope } from '../../src/contract/reports'
import type { Store } from '../store/types'
import { scopeDigests, type ArtifactEvidence } from './assemble'

/** Artifacts read at once: one query a kind of fact for each page (evidence.ts). */
export const EVIDENCE_PAGE = 100

/**
 * Reads what the store knows of each digest in the scope, a page of artifacts at a time (so a release never holds
 * more than its own artifacts), telling `onProgress` after each page.
 */
export async function gatherEvidence(
  store: Store,
  scope: ReportScope,
  asOf: number,
  onProgress: (done: number, total: number) => void = () => {},
): Promise<ArtifactEvidence[]> {
  const digests = await digestsOf(store, scope, asOf)
  const evidence: ArtifactEvidence[] = []
  for (let start = 0; start < digests.length; start += EVIDENCE_PAGE) {
    evidence.push(...(await evidenceOfPage(store, digests.slice(start, start + EVIDENCE_PAGE))))
    onProgress(evidence.length, digests.length)
  }
  return evidence
}

/**
 * What the store knows of each digest of a page, in the page's order: its facts and the alerts on its builds. The
 * alerts of a build are read only for the builds the page found to have any.
 */
export async function evidenceOfPage(store: Store, digests: readonly string[]): Promise<ArtifactEvidence[]> {
  const { facts, buildsWithAlerts } = await store.reports.evidence(digests)
  const alertsOf = new Map<string, Alert[]>()
  const out: ArtifactEvidence[] = []
  for (const digest of digests) {
    const detail = facts.get(digest) ?? null
    const alerts: Alert[] = []
    for (const build of detail?.builds ?? []) {
      if (!buildsWithAlerts.has(build.id)) continue
      let listed = alertsOf.get(build.id)
      if (listed === undefined) {
        // Every state: assembly keeps open, acknowledged and waived ones and says why each was waived.
        listed = (await store.alerts.list(AlertQuery.parse({ buildId: build.id, limit: 500 }))).items
        alertsOf.set(build.id, listed)
      }
      alerts.push(...listed)
    }
    out.push({ digest, detail, alerts: [...new Map(alerts.map((alert) => [alert.id, alert])).values()] })
  }
  return out
}

/** The sorted sha256 digests a scope covers as of `asOf`. */
export async function digestsOf(store: Store, scope: ReportScope, asOf: number): Promise<string[]> {
  if (scope.kind === 'environment') return environmentDigests(store, scope.environment, asOf)
  if (scope.kind === 'project') return projectDigests(store, scope, asOf)
  return scopeDigests(scope)
}

/** The sha256 digests of each service's newest deployment to `environment` at or before `asOf`, sorted. */
async function environmentDigests(store: Store, environment: string, asOf: number): Promise<string[]> {
  const services = new Set<string>()
  const digests = new Set<string>()
  let cursor: string | undefined
  do {
    // Newest first, so the first deployment seen of a service is what ran then.
    const page = await store.deployments.list(DeploymentQuery.parse({ environment, to: new Date(asOf + 1).toISOString(), limit: 500, ...(cursor === undefined ? {} : { cursor }) }))
    for (const deployment of page.items) {
      if (services.has(deployment.service)) continue
      services.add(deployment.service)
      for (const artifact of deployment.artifacts) if (/^sha256:[0-9a-f]{64}$/.test(artifact.digest)) digests.add(artifact.digest)
    }
    cursor = page.nextCursor ?? undefined
  } while (cursor !== undefined)
  return [...digests].sort()
}

/**
 * The sha256 digests of what a project's builds made in [from, to), builds stored by `asOf` only, sorted. Read a
 * page of builds at a time by the store's keyset cursor, so only the digests are held, never the builds.
 */
export async function projectDigests(store: Store, scope: Extract<ReportScope, { kind: 'project' }>, asOf: number): Promise<string[]> {
  const digests = new Set<string>()
  const to = Math.min(Date.parse(scope.to), asOf + 1)
  let cursor: string | undefined
  do {
    const page = await store.builds.list(BuildQuery.parse({ project: scope.project, from: scope.from, to: new Date(to).toISOString(), limit: 500, ...(cursor === undefined ? {} : { cursor }) }))
    for (const build of page.items) {
      if (Date.parse(build.ingestedAt) > asOf) continue
      for (const subject of build.subjects) if (subject.digest.sha256 !== undefined && /^[0-9a-f]{64}$/.test(subject.digest.sha256)) digests.add(`sha256:${subject.digest.sha256}`)
    }
    cursor = page.nextCursor ?? undefined
  } while (cursor !== undefined)
  return [...digests].sort()
}
