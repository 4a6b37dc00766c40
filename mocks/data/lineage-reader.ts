import type { BuildDetail } from '../../src/contract/builds'
import { DEPLOYMENT_PREDICATE_TYPE } from '../../src/contract/deployments'
import { judgeProvenance } from '../../domain/deployment-provenance'
import { dependencyRefs, dependsOn, deploymentRecord, produced, rebuiltAs, stateOfStatus } from '../../domain/lineage-edges'
import {
  membersOf,
  type ArtifactFacts,
  type ArtifactRef,
  type AttestationFact,
  type BuildFact,
  type CommitFact,
  deploymentFact,
  type LineageReader,
  type RebuildNodeFact,
  type SbomFact,
} from '../../domain/lineage-walk'
import { signerIdentity } from '../../domain/signer'
import { verdictsNewestFirst, type DemoIndex } from './demo-index'
import { demoReleaseKeyIds } from './documents'
import type { DemoDeploymentsDb, MockDeployment } from './lineage-deployments'

/*
 * The lineage walk's reader over the demo world held in memory: the mocks answer GET /api/v1/lineage by running
 * the server's own walk (domain/lineage-walk.ts) over this, so the graph, its states and its groups are the
 * server's. Lists are ordered as the server's queries order them (newest first, then id descending).
 */

const bySha = (digest: string) => digest.replace(/^sha256:/, '')
const newestThenId = <T>(time: (item: T) => number, id: (item: T) => string) => (a: T, b: T) => time(b) - time(a) || (id(a) < id(b) ? 1 : id(a) > id(b) ? -1 : 0)

function buildFact(detail: BuildDetail): BuildFact {
  return {
    id: detail.id,
    documentId: detail.document.id,
    project: detail.project,
    status: detail.status,
    failedCheck: detail.failedCheck,
    builderId: detail.builderId,
    buildType: detail.buildType,
    sourceRepo: detail.sourceRepo,
    sourceCommit: detail.sourceCommit,
    time: Date.parse(detail.time),
    signer: signerIdentity(detail.verification),
  }
}


export function demoLineageReader(index: DemoIndex, deployments: DemoDeploymentsDb): LineageReader {
  const details = index.details
  const byId = new Map<string, BuildDetail>(details.map((detail) => [detail.id, detail]))
  let knownDigests: string[] | null = null
  const known = () =>
    (knownDigests ??= [
      ...new Set([
        ...index.artifacts.keys(),
        ...index.rebuildsByArtifact.keys(),
        ...index.sbomsByArtifact.keys(),
        ...deployments.all.flatMap((entry) => entry.deployment.artifacts.map((artifact) => bySha(artifact.digest))),
      ]),
    ].sort())
  const deploymentMembers = (entries: readonly MockDeployment[], limit: number) => {
    const members = membersOf(entries.map(deploymentFact), deploymentRecord)
    return { ...members, items: members.items.slice(0, limit) }
  }
  const buildMembers = (found: readonly BuildDetail[], limit: number) => {
    const sorted = [...new Map(found.map((detail) => [detail.id, detail])).values()].map(buildFact).sort(newestThenId((build) => build.time, (build) => build.id))
    const members = membersOf(sorted, produced)
    return { ...members, items: members.items.slice(0, limit) }
  }

  return {
    buildsById: (ids) => Promise.resolve(ids.flatMap((id) => { const detail = byId.get(id); return detail === undefined ? [] : [buildFact(detail)] })),
    deploymentsById: (ids) => Promise.resolve(ids.flatMap((id) => { const entry = deployments.byId.get(id); return entry === undefined ? [] : [deploymentFact(entry)] })),
    digestsWithPrefix: (prefix, limit) => Promise.resolve(known().filter((sha256) => sha256.startsWith(prefix)).slice(0, limit).map((sha256) => `sha256:${sha256}`)),
    commitsWithPrefix: (prefix, limit) => {
      const commits = new Map<string, CommitFact>()
      for (const detail of details) {
        const commit = detail.sourceCommit
        if (commit === null || !(prefix.length === 40 || prefix.length === 64 ? commit === prefix : commit.startsWith(prefix))) continue
        const entry = commits.get(commit)
        // As the server's min(): the smallest repository and project of the commit's builds.
        if (entry === undefined) commits.set(commit, { commit, repo: detail.sourceRepo, project: detail.project })
        else commits.set(commit, { commit, repo: minText(entry.repo, detail.sourceRepo), project: minText(entry.project, detail.project) ?? entry.project })
      }
      return Promise.resolve([...commits.values()].sort((a, b) => (a.commit < b.commit ? -1 : 1)).slice(0, limit))
    },
    environment: (name) => {
      const here = deployments.all.filter((entry) => entry.deployment.environment.name === name)
      if (here.length === 0) return Promise.resolve(null)
      const services = new Set(here.map((entry) => entry.deployment.service))
      return Promise.resolve({ name, services: services.size, flagged: here.filter((entry) => entry.current && entry.deployment.flagged).length })
    },
    artifacts: (refs) =>
      Promise.resolve(
        refs.map((ref): ArtifactFacts => {
          const sha256 = bySha(ref.digest)
          const facts = deployments.facts(sha256)
          const provenance = judgeProvenance(facts.builds, facts.rebuilds)
          const named = facts.builds.find((build) => build.id === provenance.buildId) ?? facts.builds[0]
          const deployed = deployments.all.filter((entry) => entry.deployment.artifacts.some((artifact) => bySha(artifact.digest) === sha256))
          const deployedName = deployed.flatMap((entry) => entry.deployment.artifacts.filter((artifact) => bySha(artifact.digest) === sha256).map((artifact) => artifact.name)).find((name) => name !== null) ?? null
          return {
            digest: `sha256:${sha256}`,
            name: ref.name ?? named?.name ?? deployedName,
            project: named?.project ?? null,
            provenance,
            deployed: deployed.length,
            known: facts.builds.length > 0 || facts.rebuilds.length > 0 || index.sbomsByArtifact.has(sha256) || deployed.length > 0,
          }
        }),
      ),
    buildsOfCommit: (commit, limit) => Promise.resolve(buildMembers(details.filter((detail) => detail.sourceCommit === commit), limit)),
    buildsProducing: (digest, limit) => Promise.resolve(buildMembers(index.artifacts.get(bySha(digest))?.builds ?? [], limit)),
    buildsDependingOn: (digest, limit) =>
      Promise.resolve(buildMembers(details.filter((detail) => dependencyRefs(detail.resolvedDependencies).some((ref) => ref.digest === digest)), limit)),
    subjectsOf: (build, limit) => {
      const refs: ArtifactRef[] = (byId.get(build.id)?.subjects ?? []).flatMap((subject) => (subject.digest.sha256 === undefined ? [] : [{ digest: `sha256:${subject.digest.sha256}`, name: subject.name === '' ? null : subject.name }]))
      const members = membersOf(refs, () => produced(build))
      return Promise.resolve({ ...members, items: members.items.slice(0, limit) })
    },
    dependenciesOf: (build, limit) => {
      const members = membersOf(dependencyRefs(byId.get(build.id)?.resolvedDependencies ?? []), () => dependsOn(build))
      return Promise.resolve({ ...members, items: members.items.slice(0, limit) })
    },
    sbomsOf: (digest, limit) => {
      const facts: SbomFact[] = (index.sbomsByArtifact.get(bySha(digest)) ?? []).map((entry) => {
        const sbom = entry.sbom()
        return { documentId: sbom.documentId, standard: sbom.standard, specVersion: sbom.specVersion, componentCount: sbom.componentCount, status: sbom.status, failedCheck: null, ingestedAt: entry.ingestedAt }
      })
      const members = membersOf(facts, (sbom) => ({ state: stateOfStatus(sbom.status), reason: '' }))
      return Promise.resolve({ ...members, items: members.items.slice(0, limit) })
    },
    rebuildsOf: (digest, limit) => {
      const entries = index.rebuildsByArtifact.get(bySha(digest)) ?? []
      const states = { verified: 0, failed: 0, unverified: 0 }
      // Every demo verdict is signed by its trusted rebuilder, so its state follows from its verdict alone.
      for (const entry of entries) states[rebuiltAs({ verdict: entry.facts.verdict, status: 'verified', rebuilderId: null, rebuiltDigest: null }).state]++
      const items: RebuildNodeFact[] = []
      for (const entry of verdictsNewestFirst(entries)) {
        if (items.length >= limit) break
        const rebuild = entry.rebuild()
        const rebuilt = rebuild.rebuiltDigest.sha256
        items.push({ id: rebuild.id, documentId: rebuild.documentId, rebuilderId: rebuild.rebuilderId, verdict: rebuild.verdict, rebuiltDigest: rebuilt === undefined ? null : `sha256:${rebuilt}`, status: rebuild.status, time: Date.parse(rebuild.time) })
      }
      return Promise.resolve({ total: entries.length, items, states })
    },
    attestationsOf: (digest, limit) => {
      const facts: AttestationFact[] = deployments.all
        .filter((entry) => entry.deployment.documentId !== null && entry.deployment.artifacts.some((artifact) => artifact.digest === `sha256:${bySha(digest)}`))
        .map((entry) => ({
          documentId: entry.deployment.documentId ?? entry.deployment.id,
          format: 'dsse',
          predicateType: DEPLOYMENT_PREDICATE_TYPE,
          status: entry.deployment.signature ?? 'unsigned',
          failedCheck: null,
          signer: demoReleaseKeyIds.ed25519,
          ingestedAt: Date.parse(entry.deployment.deployedAt),
          deploymentId: entry.deployment.id,
          vsa: null,
        }))
      const members = membersOf(facts, (attestation) => ({ state: stateOfStatus(attestation.status), reason: '' }))
      return Promise.resolve({ ...members, items: members.items.slice(0, limit) })
    },
    deploymentsOf: (digest, limit) => Promise.resolve(deploymentMembers(deployments.all.filter((entry) => entry.deployment.artifacts.some((artifact) => artifact.digest === `sha256:${bySha(digest)}`)), limit)),
    deploymentsIn: (environment, limit) => Promise.resolve(deploymentMembers(deployments.all.filter((entry) => entry.deployment.environment.name === environment), limit)),
    // The freshly seeded demo has no configured sources and no recorded gate decisions (see handlers/gates.ts).
    originsOf: () => Promise.resolve(new Map()),
    gateDecisionsOf: () => Promise.resolve(new Map()),
  }
}

function minText(a: string | null, b: string | null): string | null {
  if (a === null) return b
  if (b === null) return a
  return a < b ? a : b
}
