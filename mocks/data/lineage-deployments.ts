import { VerificationStatus } from '../../src/contract/common'
import {
  Deployment,
  DeploymentInput,
  DeploymentPage,
  EnvironmentList,
  type DeployedProvenance,
  type DeploymentQuery,
  type EnvironmentSummary,
} from '../../src/contract/deployments'
import { DEMO_END } from '../../demo/model'
import { deploymentId } from '../../domain/deployment-id'
import { isFlagged, judgeProvenance, serviceOf, type ProvenanceFact, type RebuildFact } from '../../domain/deployment-provenance'
import { demoIndex, type DemoIndex } from './demo-index'
import { demoDeploymentRecords } from './lineage-documents'

/*
 * The demo's deployments as the server reads them after its seed: the same ids (a posted deployment's is the hash
 * of its input, a signed one's its attestation's document id), the same project and service, and each digest's
 * provenance judged by the same rule (domain/deployment-provenance.ts) from the demo's builds and rebuilds.
 */

export type MockDeployment = {
  deployment: Deployment
  current: boolean
  /** Milliseconds, for ordering. */
  time: number
}

export type DemoDeploymentsDb = {
  /** Newest first, by time then id, as the server lists them. */
  all: readonly MockDeployment[]
  byId: ReadonlyMap<string, MockDeployment>
  provenance(sha256: string): DeployedProvenance
  facts(sha256: string): { builds: (ProvenanceFact & { project: string; name: string })[]; rebuilds: RebuildFact[] }
  list(query: DeploymentQuery): DeploymentPage | 'invalid-cursor'
  environments(): EnvironmentList
}

/** What runs now in an environment for a service: the latest deployment nothing replaced. */
function currentOf(entries: readonly { id: string; environment: string; service: string; time: number; replaced: boolean }[]): Set<string> {
  const latest = new Map<string, { id: string; time: number }>()
  for (const entry of entries) {
    if (entry.replaced) continue
    const key = `${entry.environment}\n${entry.service}`
    const best = latest.get(key)
    if (best === undefined || entry.time > best.time || (entry.time === best.time && entry.id > best.id)) latest.set(key, { id: entry.id, time: entry.time })
  }
  return new Set([...latest.values()].map((entry) => entry.id))
}

export function createDemoDeploymentsDb(index: DemoIndex): DemoDeploymentsDb {
  const demo = demoDeploymentRecords([...index.facts.values()])

  const factsCache = new Map<string, { builds: (ProvenanceFact & { project: string; name: string })[]; rebuilds: RebuildFact[] }>()
  const facts = (sha256: string) => {
    let found = factsCache.get(sha256)
    if (found === undefined) {
      const artifact = index.artifacts.get(sha256)
      found = {
        builds: (artifact?.builds ?? []).map((detail) => ({
          id: detail.id,
          project: detail.project,
          name: detail.subjects.find((subject) => subject.digest.sha256 === sha256)?.name ?? '',
          status: detail.status,
          failedCheck: detail.failedCheck,
          sourceRepo: detail.sourceRepo,
          sourceCommit: detail.sourceCommit,
          time: Date.parse(detail.time),
        })),
        rebuilds: (index.rebuildsByArtifact.get(sha256) ?? []).map((entry) => ({ rebuilderId: entry.facts.rebuilderId, verdict: entry.facts.verdict, time: entry.facts.finishedAt })),
      }
      factsCache.set(sha256, found)
    }
    return found
  }
  const provenance = (sha256: string) => {
    const { builds: named, rebuilds: verdicts } = facts(sha256)
    return judgeProvenance(named, verdicts)
  }

  const drafts = demo.map((entry) => {
    const input = DeploymentInput.parse(entry.input)
    const id = entry.documentId ?? deploymentId(input)
    const first = input.artifacts[0]?.digest.replace(/^sha256:/, '')
    // As the server files it: the input's project, else that of the newest build listing the first digest.
    const newest = first === undefined ? undefined : [...facts(first).builds].sort((a, b) => b.time - a.time)[0]
    const project = input.project ?? newest?.project ?? null
    return { id, input, signed: entry.signed, project, service: serviceOf(input, project), time: Date.parse(input.deployedAt) }
  })
  const replacedBy = new Map<string, string>()
  for (const draft of [...drafts].sort((a, b) => b.time - a.time)) if (draft.input.replaces !== undefined && !replacedBy.has(draft.input.replaces)) replacedBy.set(draft.input.replaces, draft.id)
  const current = currentOf(drafts.map((draft) => ({ id: draft.id, environment: draft.input.environment.name, service: draft.service, time: draft.time, replaced: replacedBy.has(draft.id) })))

  const all: MockDeployment[] = drafts
    .map((draft) => {
      const artifacts = draft.input.artifacts.map((artifact) => ({ digest: artifact.digest, name: artifact.name ?? null, provenance: provenance(artifact.digest.replace(/^sha256:/, '')) }))
      const deployment = Deployment.parse({
        id: draft.id,
        environment: { name: draft.input.environment.name, cluster: draft.input.environment.cluster ?? null, namespace: draft.input.environment.namespace ?? null, region: draft.input.environment.region ?? null },
        service: draft.service,
        project: draft.project,
        artifacts,
        deployedAt: new Date(draft.time).toISOString(),
        system: { name: draft.input.system.name, runUrl: draft.input.system.runUrl ?? null },
        replaces: draft.input.replaces ?? null,
        replacedBy: replacedBy.get(draft.id) ?? null,
        recordedBy: draft.signed ? 'attestation' : 'api',
        documentId: draft.signed ? draft.id : null,
        signature: draft.signed ? VerificationStatus.parse('verified') : null,
        flagged: isFlagged(artifacts.map((artifact) => artifact.provenance)),
        // A signed one was ingested at its deployment time; a posted one at the seed's wall clock, which the mocks cannot know.
        ingestedAt: new Date(draft.signed ? draft.time : DEMO_END).toISOString(),
      })
      return { deployment, current: current.has(draft.id), time: draft.time }
    })
    .sort((a, b) => b.time - a.time || (a.deployment.id < b.deployment.id ? 1 : -1))
  const byId = new Map(all.map((entry) => [entry.deployment.id, entry]))

  return {
    all,
    byId,
    provenance,
    facts,
    list(query) {
      const offset = query.cursor === undefined ? 0 : decodeOffset(query.cursor)
      if (offset === null) return 'invalid-cursor'
      const from = query.from === undefined ? null : Date.parse(query.from)
      const to = query.to === undefined ? null : Date.parse(query.to)
      const matching = all.filter(({ deployment, time }) =>
        (query.environment === undefined || deployment.environment.name === query.environment) &&
        (query.service === undefined || deployment.service === query.service) &&
        (query.project === undefined || deployment.project === query.project) &&
        (query.digest === undefined || deployment.artifacts.some((artifact) => artifact.digest === query.digest)) &&
        (query.flagged === undefined || deployment.flagged === query.flagged) &&
        (from === null || time >= from) &&
        (to === null || time < to),
      )
      const items = matching.slice(offset, offset + query.limit)
      return DeploymentPage.parse({ items: items.map((entry) => entry.deployment), nextCursor: offset + query.limit < matching.length ? encodeOffset(offset + query.limit) : null })
    },
    environments() {
      const byEnvironment = new Map<string, EnvironmentSummary>()
      const counts = new Map<string, number>()
      for (const { deployment } of all) counts.set(`${deployment.environment.name}\n${deployment.service}`, (counts.get(`${deployment.environment.name}\n${deployment.service}`) ?? 0) + 1)
      const running = all.filter((entry) => entry.current).sort((a, b) => (a.deployment.service < b.deployment.service ? -1 : 1))
      for (const { deployment } of running) {
        const name = deployment.environment.name
        const summary = byEnvironment.get(name) ?? { name, services: [], flagged: 0, lastDeployedAt: deployment.deployedAt }
        summary.services.push({ service: deployment.service, project: deployment.project, deployment, deployments: counts.get(`${name}\n${deployment.service}`) ?? 1 })
        if (deployment.flagged) summary.flagged++
        if (deployment.deployedAt > summary.lastDeployedAt) summary.lastDeployedAt = deployment.deployedAt
        byEnvironment.set(name, summary)
      }
      return EnvironmentList.parse({ items: [...byEnvironment.values()].sort((a, b) => (a.name < b.name ? -1 : 1)) })
    },
  }
}

const made = new WeakMap<DemoIndex, DemoDeploymentsDb>()

/** The deployments of a demo index, made once per index (the shared one unless a test brings its own). */
export function demoDeploymentsDb(index: DemoIndex = demoIndex()): DemoDeploymentsDb {
  let db = made.get(index)
  if (db === undefined) {
    db = createDemoDeploymentsDb(index)
    made.set(index, db)
  }
  return db
}

/** An artifact's deployments as its page lists them: newest first, at most 20. */
export function artifactDeployments(index: DemoIndex, sha256: string) {
  return demoDeploymentsDb(index)
    .all.filter((entry) => entry.deployment.artifacts.some((artifact) => artifact.digest === `sha256:${sha256}`))
    .slice(0, 20)
    .map(({ deployment, current }) => ({ environment: deployment.environment.name, at: deployment.deployedAt, id: deployment.id, service: deployment.service, current, flagged: deployment.flagged }))
}

const encodeOffset = (offset: number) => btoa(JSON.stringify({ offset }))

function decodeOffset(cursor: string): number | null {
  try {
    const value: unknown = JSON.parse(atob(cursor))
    if (typeof value === 'object' && value !== null && 'offset' in value && typeof value.offset === 'number' && Number.isInteger(value.offset) && value.offset >= 0) return value.offset
  } catch {
    // An unreadable cursor is the caller's error; reported by the handler.
  }
  return null
}
