import type { VerificationStatus } from '../src/contract/common'
import type { DeployedProvenance, Deployment } from '../src/contract/deployments'
import {
  LineageGraph,
  type EdgeState,
  type LineageEdge,
  type LineageEdgeType,
  type LineageGateDecision,
  type LineageGroup,
  type LineageNode,
  type LineageNodeType,
  type LineagePulledFrom,
  type LineageQuery,
  type LineageVsa,
} from '../src/contract/lineage'
import { repoLabel, shortCommit } from './deployment-provenance'
import { decodeExpand, decideGroup, encodeExpand, expansionsOf, fetchLimit, groupId, groupLabel, groupState, type Expansion } from './lineage-grouping'
import {
  artifactState,
  builtFrom,
  claimBy,
  dependsOn,
  deploymentRecord,
  deploymentState,
  produced,
  rebuiltAs,
  stateOfStatus,
  vsaClaim,
  worst,
  type Judged,
} from './lineage-edges'

/*
 * The lineage graph, assembled from facts a reader gathers: the server's reader asks the store with a few index
 * seeks a node, the mocks' reader looks in the demo world. Both are walked by this one function, so the graph,
 * its edge states, its groups and where it is cut are decided once.
 *
 * From the root the walk goes upstream (towards sources) and downstream (towards environments) as asked, never
 * zig-zagging (the siblings of a build's commit are not its lineage). An artifact's evidence (SBOMs, rebuilds,
 * attestations) is attached to it whichever way it was reached: it says whether the artifact can be trusted.
 */

export type BuildFact = {
  id: string
  /** The provenance document the build was read from. */
  documentId: string
  project: string
  status: VerificationStatus
  failedCheck: string | null
  builderId: string | null
  buildType: string | null
  sourceRepo: string | null
  sourceCommit: string | null
  time: number
  /** Who signed the provenance (a trusted key id, a certificate identity), when known. */
  signer: string | null
}
export type ArtifactRef = { digest: string; name: string | null }
export type ArtifactFacts = { digest: string; name: string | null; project: string | null; provenance: DeployedProvenance; deployed: number; known: boolean }
export type CommitFact = { commit: string; repo: string | null; project: string }
export type SbomFact = { documentId: string; standard: 'cyclonedx' | 'spdx'; specVersion: string; componentCount: number; status: VerificationStatus; failedCheck: string | null; ingestedAt: number }
export type RebuildNodeFact = {
  id: string
  documentId: string
  rebuilderId: string | null
  verdict: 'match' | 'mismatch'
  rebuiltDigest: string | null
  status: VerificationStatus
  time: number
}
export type AttestationFact = {
  documentId: string
  format: string
  predicateType: string | null
  status: VerificationStatus
  failedCheck: string | null
  signer: string | null
  ingestedAt: number
  /** The deployment the attestation records, for a deployment attestation. */
  deploymentId: string | null
  /** What a verification summary says, for a VSA. */
  vsa: LineageVsa | null
}
export type DeploymentFact = {
  id: string
  environment: string
  cluster: string | null
  namespace: string | null
  region: string | null
  service: string
  project: string | null
  deployedAt: number
  system: string
  runUrl: string | null
  recordedBy: 'api' | 'attestation'
  documentId: string | null
  signature: VerificationStatus | null
  replacedBy: string | null
  current: boolean
  artifacts: ArtifactRef[]
  flagged: boolean
  rebuildDisagrees: boolean
}
export type EnvironmentFact = { name: string; services: number; flagged: number }

/** A stored deployment as the walk sees it; one mapping for the server's reader and the mocks'. */
export function deploymentFact({ deployment, current }: { deployment: Deployment; current: boolean }): DeploymentFact {
  return {
    id: deployment.id,
    environment: deployment.environment.name,
    cluster: deployment.environment.cluster,
    namespace: deployment.environment.namespace,
    region: deployment.environment.region,
    service: deployment.service,
    project: deployment.project,
    deployedAt: Date.parse(deployment.deployedAt),
    system: deployment.system.name,
    runUrl: deployment.system.runUrl,
    recordedBy: deployment.recordedBy,
    documentId: deployment.documentId,
    signature: deployment.signature,
    replacedBy: deployment.replacedBy,
    current,
    artifacts: deployment.artifacts.map((artifact) => ({ digest: artifact.digest, name: artifact.name })),
    flagged: deployment.flagged,
    rebuildDisagrees: deployment.artifacts.some((artifact) => artifact.provenance.rebuildDisagrees),
  }
}

/** Some neighbours of one node: the first `items` (newest first) of `total`, and the states of all their edges. */
export type Members<T> = { total: number; items: T[]; states: Record<EdgeState, number> }

/** What the walk asks of a store. Every list is newest first and holds at most `limit` items. */
export interface LineageReader {
  buildsById(ids: readonly string[]): Promise<BuildFact[]>
  deploymentsById(ids: readonly string[]): Promise<DeploymentFact[]>
  /** Known artifact digests (`sha256:<hex>`) starting with the hex prefix. */
  digestsWithPrefix(hexPrefix: string, limit: number): Promise<string[]>
  /** Source commits equal to or starting with the prefix. */
  commitsWithPrefix(prefix: string, limit: number): Promise<CommitFact[]>
  environment(name: string): Promise<EnvironmentFact | null>
  artifacts(refs: readonly ArtifactRef[]): Promise<ArtifactFacts[]>
  buildsOfCommit(commit: string, limit: number): Promise<Members<BuildFact>>
  buildsProducing(digest: string, limit: number): Promise<Members<BuildFact>>
  /** Builds whose provenance lists the digest among its resolved dependencies (see dependencyRefs). */
  buildsDependingOn(digest: string, limit: number): Promise<Members<BuildFact>>
  subjectsOf(build: BuildFact, limit: number): Promise<Members<ArtifactRef>>
  dependenciesOf(build: BuildFact, limit: number): Promise<Members<ArtifactRef>>
  sbomsOf(digest: string, limit: number): Promise<Members<SbomFact>>
  rebuildsOf(digest: string, limit: number): Promise<Members<RebuildNodeFact>>
  attestationsOf(digest: string, limit: number): Promise<Members<AttestationFact>>
  deploymentsOf(digest: string, limit: number): Promise<Members<DeploymentFact>>
  deploymentsIn(environment: string, limit: number): Promise<Members<DeploymentFact>>
  /** Where source connectors pulled documents from, by document id; a document pushed to the API is absent. */
  originsOf(documentIds: readonly string[]): Promise<Map<string, LineagePulledFrom>>
  /** The newest `limit` recorded gate decisions naming each digest, newest first; a digest with none may be absent. */
  gateDecisionsOf(digests: readonly string[], limit: number): Promise<Map<string, LineageGateDecision[]>>
}

/** Gate decisions an artifact node carries: the newest few, the rest a link away. */
export const GATE_DECISIONS_SHOWN = 5

/** The most nodes one graph holds; the walk stops adding where it reaches it and says so. */
export const NODE_LIMIT = 2000

export type LineageOutcome =
  | { kind: 'graph'; graph: LineageGraph }
  | { kind: 'not-found'; message: string }
  | { kind: 'ambiguous'; message: string; candidates: { type: LineageNodeType; key: string; label: string }[] }
  | { kind: 'invalid'; message: string; path: string }

type Root = { node: Pending; resolvedAs: LineageGraph['resolvedAs'] }

/** A node before its distance and `more` are known. */
type Pending = Omit<LineageNode, 'distance' | 'more'> & { fact: Fact }
type Fact =
  | { type: 'commit'; value: CommitFact }
  | { type: 'build'; value: BuildFact }
  | { type: 'artifact'; value: ArtifactFacts }
  | { type: 'attestation'; value: AttestationFact }
  | { type: 'sbom'; value: SbomFact }
  | { type: 'rebuild'; value: RebuildNodeFact }
  | { type: 'deployment'; value: DeploymentFact }
  | { type: 'environment'; value: EnvironmentFact }

const iso = (ms: number) => new Date(ms).toISOString()
const shortDigest = (digest: string) => `${digest.slice(0, 'sha256:'.length + 6)}…`

export const nodeId = (type: LineageNodeType, key: string): string => `${type}:${key}`

function commitNode(value: CommitFact, state: EdgeState): Pending {
  const repo = repoLabel(value.repo)
  return {
    id: nodeId('commit', value.commit),
    type: 'commit',
    key: value.commit,
    label: repo ? `${repo}@${shortCommit(value.commit)}` : shortCommit(value.commit),
    state,
    facts: { repo: value.repo, commit: value.commit, project: value.project },
    fact: { type: 'commit', value },
  }
}

function buildNode(value: BuildFact): Pending {
  return {
    id: nodeId('build', value.id),
    type: 'build',
    key: value.id,
    label: `${value.project} build ${value.id.slice(0, 8)}`,
    state: stateOfStatus(value.status),
    facts: {
      project: value.project,
      status: value.status,
      failedCheck: value.failedCheck,
      builderId: value.builderId,
      buildType: value.buildType,
      sourceRepo: value.sourceRepo,
      sourceCommit: value.sourceCommit,
      time: iso(value.time),
    },
    fact: { type: 'build', value },
  }
}

function artifactNode(value: ArtifactFacts): Pending {
  const provenance = value.provenance
  return {
    id: nodeId('artifact', value.digest),
    type: 'artifact',
    key: value.digest,
    label: value.name ?? shortDigest(value.digest),
    state: artifactState({ verifiedPath: provenance.verifiedPath, rebuildDisagrees: provenance.rebuildDisagrees, provenance: provenance.status }),
    facts: {
      digest: value.digest,
      name: value.name,
      project: value.project,
      provenance: provenance.status,
      verifiedPath: provenance.verifiedPath,
      rebuildDisagrees: provenance.rebuildDisagrees,
      deployedWithoutVerifiedProvenance: value.deployed > 0 && !provenance.verifiedPath,
    },
    fact: { type: 'artifact', value },
  }
}

const DEPLOYMENT_PREDICATE_LABEL = 'deployment attestation'

/** "VSA PASSED SLSA_BUILD_LEVEL_3": the verifier's verdict is what the node is about. */
const vsaLabel = (vsa: LineageVsa) => `VSA ${vsa.result}${vsa.levels.length > 0 ? ` ${vsa.levels.join(', ')}` : ''}`

function attestationNode(value: AttestationFact): Pending {
  return {
    id: nodeId('attestation', value.documentId),
    type: 'attestation',
    key: value.documentId,
    label: value.deploymentId !== null ? DEPLOYMENT_PREDICATE_LABEL : value.vsa !== null ? vsaLabel(value.vsa) : (value.predicateType?.split('/').slice(-2).join('/') ?? value.format),
    state: stateOfStatus(value.status),
    facts: {
      documentId: value.documentId,
      format: value.format,
      predicateType: value.predicateType,
      status: value.status,
      failedCheck: value.failedCheck,
      signer: value.signer,
      ingestedAt: iso(value.ingestedAt),
      ...(value.vsa === null ? {} : { vsa: value.vsa }),
    },
    fact: { type: 'attestation', value },
  }
}

function sbomNode(value: SbomFact): Pending {
  return {
    id: nodeId('sbom', value.documentId),
    type: 'sbom',
    key: value.documentId,
    label: `${value.standard === 'cyclonedx' ? 'CycloneDX' : 'SPDX'} SBOM, ${value.componentCount} components`,
    state: stateOfStatus(value.status),
    facts: {
      documentId: value.documentId,
      standard: value.standard,
      specVersion: value.specVersion,
      componentCount: value.componentCount,
      status: value.status,
      ingestedAt: iso(value.ingestedAt),
    },
    fact: { type: 'sbom', value },
  }
}

function rebuildNode(value: RebuildNodeFact): Pending {
  return {
    id: nodeId('rebuild', value.id),
    type: 'rebuild',
    key: value.documentId,
    label: `rebuild by ${value.rebuilderId ?? 'unnamed rebuilder'}: ${value.verdict}`,
    state: rebuiltAs(value).state,
    facts: {
      rebuildId: value.id,
      documentId: value.documentId,
      rebuilderId: value.rebuilderId,
      verdict: value.verdict,
      rebuiltDigest: value.rebuiltDigest,
      status: value.status,
      time: iso(value.time),
    },
    fact: { type: 'rebuild', value },
  }
}

function deploymentNode(value: DeploymentFact): Pending {
  return {
    id: nodeId('deployment', value.id),
    type: 'deployment',
    key: value.id,
    label: `${value.service} to ${value.environment}, ${iso(value.deployedAt).slice(0, 10)}`,
    state: deploymentState(value),
    facts: {
      environment: value.environment,
      cluster: value.cluster,
      namespace: value.namespace,
      region: value.region,
      service: value.service,
      project: value.project,
      deployedAt: iso(value.deployedAt),
      system: value.system,
      runUrl: value.runUrl,
      recordedBy: value.recordedBy,
      current: value.current,
      replacedBy: value.replacedBy,
      flagged: value.flagged,
    },
    fact: { type: 'deployment', value },
  }
}

function environmentNode(value: EnvironmentFact): Pending {
  return {
    id: nodeId('environment', value.name),
    type: 'environment',
    key: value.name,
    label: value.name,
    state: value.flagged > 0 ? 'unverified' : 'verified',
    facts: { name: value.name, services: value.services, flagged: value.flagged },
    fact: { type: 'environment', value },
  }
}

const HEX = /^[0-9a-f]+$/

/** Reads `from` as what it can be; the first kind that matches exactly wins, prefixes must be unambiguous. */
async function resolve(reader: LineageReader, text: string): Promise<Root | Exclude<LineageOutcome, { kind: 'graph' }>> {
  const from = text.trim()
  if (from.startsWith('env:')) {
    const name = from.slice(4)
    const environment = await reader.environment(name)
    return environment === null
      ? { kind: 'not-found', message: `no deployment to an environment named "${name}" is recorded (looked up from=${from} as an environment)` }
      : { node: environmentNode(environment), resolvedAs: 'environment' }
  }
  const lower = from.toLowerCase()
  const digestMatch = /^sha256:([0-9a-f]{12,64})$/.exec(lower)
  if (digestMatch?.[1] !== undefined) return resolveDigest(reader, digestMatch[1], from)
  if (!HEX.test(lower)) {
    return {
      kind: 'invalid',
      message: `query.from: "${from.slice(0, 80)}" is not a digest (sha256:<hex>), a hex prefix, a commit, a build id, a deployment id or env:<name>`,
      path: 'query.from',
    }
  }
  if (lower.length < 7) return { kind: 'invalid', message: 'query.from: a commit prefix is at least 7 hex characters, a digest prefix at least 12', path: 'query.from' }
  if (lower.length === 64) {
    const [builds, deployments] = await Promise.all([reader.buildsById([lower]), reader.deploymentsById([lower])])
    const build = builds[0]
    if (build !== undefined) return { node: buildNode(build), resolvedAs: 'build' }
    const deployment = deployments[0]
    if (deployment !== undefined) return { node: deploymentNode(deployment), resolvedAs: 'deployment' }
  }
  // A full commit wins outright, so digests are only looked up when it is not one (four index seeks saved).
  const commits = await reader.commitsWithPrefix(lower, 11)
  const exactCommit = commits.find((commit) => commit.commit === lower)
  if (exactCommit !== undefined) return { node: commitNode(exactCommit, 'unverified'), resolvedAs: 'commit' }
  const digests = lower.length >= 12 ? await reader.digestsWithPrefix(lower, 11) : []
  if (commits.length + digests.length === 0) {
    const kinds = lower.length === 64 ? 'a build id, a deployment id, an artifact digest or a commit' : lower.length >= 12 ? 'a commit prefix or an artifact digest prefix' : 'a commit prefix'
    return { kind: 'not-found', message: `nothing matches from=${from}: looked up as ${kinds}` }
  }
  if (commits.length + digests.length === 1) {
    const commit = commits[0]
    if (commit !== undefined) return { node: commitNode(commit, 'unverified'), resolvedAs: 'commit' }
    const digest = digests[0]
    if (digest !== undefined) return resolveDigest(reader, digest.slice('sha256:'.length), from, true)
  }
  const candidates = [
    ...commits.map((commit) => ({ type: 'commit' as const, key: commit.commit, label: `commit ${repoLabel(commit.repo) ?? commit.project}@${shortCommit(commit.commit)}` })),
    ...digests.map((digest) => ({ type: 'artifact' as const, key: digest, label: `artifact ${digest}` })),
  ].slice(0, 10)
  const count = (n: number, one: string) => (n > 10 ? `more than 10 ${one}s` : `${n} ${one}${n === 1 ? '' : 's'}`)
  const many = [commits.length > 0 ? count(commits.length, 'commit') : null, digests.length > 0 ? count(digests.length, 'artifact digest') : null].filter((part) => part !== null).join(' and ')
  return { kind: 'ambiguous', message: `from=${from} is a prefix of ${many}; give more characters or one of: ${candidates.map((c) => c.key).join(', ')}`, candidates }
}

async function resolveDigest(reader: LineageReader, hex: string, from: string, prefix = hex.length < 64): Promise<Root | Exclude<LineageOutcome, { kind: 'graph' }>> {
  const digests = hex.length === 64 ? [`sha256:${hex}`] : await reader.digestsWithPrefix(hex, 11)
  const only = digests.length === 1 ? digests[0] : undefined
  if (only !== undefined) {
    const [facts] = await reader.artifacts([{ digest: only, name: null }])
    if (facts?.known) return { node: artifactNode(facts), resolvedAs: prefix ? 'digest-prefix' : 'digest' }
  }
  if (digests.length <= 1) return { kind: 'not-found', message: `no build, SBOM, rebuild or deployment names an artifact with digest ${hex.length === 64 ? '' : 'prefix '}sha256:${hex} (from=${from})` }
  const candidates = digests.slice(0, 10).map((digest) => ({ type: 'artifact' as const, key: digest, label: `artifact ${digest}` }))
  return { kind: 'ambiguous', message: `from=${from} is a prefix of ${digests.length > 10 ? 'more than 10' : digests.length} artifact digests; give more characters or one of: ${candidates.map((c) => c.key).join(', ')}`, candidates }
}

type Direction = 'up' | 'down'

/** One relation of a node to its neighbours (its members), as the walk expands it. */
type Relation = {
  edgeType: LineageEdgeType
  memberType: LineageNodeType
  direction: Direction
  /** "of acme/api@1a2b3c4", "to production": how a group of these members is described. */
  of: string
  /**
   * Asks for `limit` members and how many there are in all; `shownOf(total)` says how many of them become nodes,
   * each with its edge's state.
   */
  fetch: (limit: number, shownOf: (total: number) => number) => Promise<{ total: number; states: Record<EdgeState, number>; members: { node: Pending; judged: Judged }[] }>
}

type RelationSpec<T> = Omit<Relation, 'fetch'> & {
  members: (limit: number) => Promise<Members<T>>
  id: (member: T) => string
  /** Nodes for the members, in one batch (an artifact's facts are read for all at once). */
  nodes: (members: T[]) => Promise<Pending[]> | Pending[]
  judge: (member: T) => Judged
}

function relation<T>(spec: RelationSpec<T>): Relation {
  const { members, id, nodes, judge, ...rest } = spec
  return {
    ...rest,
    fetch: async (limit, shownOf) => {
      const found = await members(limit)
      const items = found.items.slice(0, shownOf(found.total))
      const built = await nodes(items)
      return { total: found.total, states: found.states, members: items.map((item, index) => ({ node: built[index] ?? missingNode(id(item)), judged: judge(item) })) }
    },
  }
}

function missingNode(id: string): never {
  throw new Error(`lineage reader returned no node for ${id}`)
}

/** Assembles the lineage graph around `query.from`. Never throws for a user's input: a bad `from` is an outcome. */
export async function walkLineage(reader: LineageReader, query: LineageQuery): Promise<LineageOutcome> {
  const expansions: Expansion[] = []
  for (const cursor of query.expand) {
    const expansion = decodeExpand(cursor)
    if (expansion === null) return { kind: 'invalid', message: `query.expand: "${cursor.slice(0, 40)}" is not an expand cursor this server issued`, path: 'query.expand' }
    expansions.push(expansion)
  }
  const expanded = expansionsOf(expansions)
  const root = await resolve(reader, query.from)
  if ('kind' in root) return root

  const nodes = new Map<string, LineageNode>()
  const edges = new Map<string, LineageEdge>()
  const groups: LineageGroup[] = []
  const cuts = new Map<string, 'depth' | 'node-limit' | 'grouped'>()
  const facts = new Map<string, Fact>()
  const add = (pending: Pending, distance: number): void => {
    const existing = nodes.get(pending.id)
    if (existing !== undefined) {
      if (distance < existing.distance) existing.distance = distance
      return
    }
    const { fact, ...node } = pending
    // Each Pending is made by its type's builder with that type's facts, so the union member is the right one.
    nodes.set(pending.id, { ...node, distance, more: false } as LineageNode)
    facts.set(pending.id, fact)
  }
  // How many edges of a type join a node to nodes of a type: what the cut at the last depth compares counts with.
  const joined = new Map<string, number>()
  const addEdge = (type: LineageEdgeType, from: string, to: string, judged: Judged) => {
    const id = `${type}|${from}|${to}`
    if (edges.has(id)) return
    edges.set(id, { id, type, from, to, state: judged.state, reason: judged.reason })
    for (const [end, other] of [[from, to], [to, from]] as const) {
      const otherType = nodes.get(other)?.type
      if (otherType === undefined) continue
      const key = `${end}|${type}|${otherType}`
      joined.set(key, (joined.get(key) ?? 0) + 1)
    }
  }
  const markMore = (id: string, reason: 'depth' | 'node-limit' | 'grouped') => {
    const node = nodes.get(id)
    if (node !== undefined) node.more = true
    if (!cuts.has(id) || reason === 'node-limit') cuts.set(id, reason)
  }

  add(root.node, 0)
  const artifactNodes = async (refs: ArtifactRef[]): Promise<Pending[]> => {
    if (refs.length === 0) return []
    const found = new Map((await reader.artifacts(refs)).map((facts) => [facts.digest, facts]))
    return refs.map((ref) => artifactNode(found.get(ref.digest) ?? unknownArtifact(ref)))
  }
  const artifactId = (ref: ArtifactRef) => nodeId('artifact', ref.digest)
  const buildId = (build: BuildFact) => nodeId('build', build.id)
  const deploymentId = (deployment: DeploymentFact) => nodeId('deployment', deployment.id)

  const relationsOf = (id: string, direction: Direction): Relation[] => {
    const fact = facts.get(id)
    const node = nodes.get(id)
    if (fact === undefined || node === undefined) return []
    const relations: Relation[] = []
    switch (fact.type) {
      case 'commit': {
        const commit = fact.value
        if (direction === 'down') {
          relations.push(
            relation<BuildFact>({
              edgeType: 'built-from', memberType: 'build', direction: 'down', of: `of ${node.label}`,
              members: (limit) => reader.buildsOfCommit(commit.commit, limit),
              id: buildId,
              nodes: (builds) => builds.map(buildNode),
              judge: (build) => builtFrom(build, commit.commit),
            }),
          )
        }
        break
      }
      case 'build': {
        const build = fact.value
        if (direction === 'up') {
          const commit = build.sourceCommit
          if (commit !== null) {
            const value: CommitFact = { commit, repo: build.sourceRepo, project: build.project }
            relations.push(
              relation<CommitFact>({
                edgeType: 'built-from', memberType: 'commit', direction: 'up', of: `of ${node.label}`,
                members: () => Promise.resolve(membersOf([value], () => builtFrom(build, commit))),
                id: (member) => nodeId('commit', member.commit),
                nodes: (members) => members.map((member) => commitNode(member, stateOfStatus(build.status))),
                judge: () => builtFrom(build, commit),
              }),
            )
          }
          relations.push(
            relation<ArtifactRef>({
              edgeType: 'depends-on', memberType: 'artifact', direction: 'up', of: `used by ${node.label}`,
              members: (limit) => reader.dependenciesOf(build, limit),
              id: artifactId,
              nodes: artifactNodes,
              judge: () => dependsOn(build),
            }),
          )
        } else {
          relations.push(
            relation<ArtifactRef>({
              edgeType: 'produced', memberType: 'artifact', direction: 'down', of: `of ${node.label}`,
              members: (limit) => reader.subjectsOf(build, limit),
              id: artifactId,
              nodes: artifactNodes,
              judge: () => produced(build),
            }),
          )
        }
        break
      }
      case 'artifact': {
        const digest = fact.value.digest
        if (direction === 'up') {
          relations.push(
            relation<BuildFact>({
              edgeType: 'produced', memberType: 'build', direction: 'up', of: `producing ${node.label}`,
              members: (limit) => reader.buildsProducing(digest, limit),
              id: buildId,
              nodes: (builds) => builds.map(buildNode),
              judge: produced,
            }),
          )
        } else {
          relations.push(
            relation<DeploymentFact>({
              edgeType: 'deployed-to', memberType: 'deployment', direction: 'down', of: `of ${node.label}`,
              members: (limit) => reader.deploymentsOf(digest, limit),
              id: deploymentId,
              nodes: (deployments) => deployments.map(deploymentNode),
              judge: deploymentRecord,
            }),
            // Its dependants: the builds that used it, and onward what they produced and where that went.
            relation<BuildFact>({
              edgeType: 'depends-on', memberType: 'build', direction: 'down', of: `depending on ${node.label}`,
              members: (limit) => reader.buildsDependingOn(digest, limit),
              id: buildId,
              nodes: (builds) => builds.map(buildNode),
              judge: dependsOn,
            }),
          )
        }
        // Evidence is attached to the artifact whichever way the walk reached it.
        relations.push(
          relation<SbomFact>({
            edgeType: 'describes', memberType: 'sbom', direction: 'down', of: `of ${node.label}`,
            members: (limit) => reader.sbomsOf(digest, limit),
            id: (sbom) => nodeId('sbom', sbom.documentId),
            nodes: (sboms) => sboms.map(sbomNode),
            judge: (sbom) => claimBy('SBOM', sbom.status, sbom.failedCheck),
          }),
          relation<RebuildNodeFact>({
            edgeType: 'rebuilt-as', memberType: 'rebuild', direction: 'down', of: `of ${node.label}`,
            members: (limit) => reader.rebuildsOf(digest, limit),
            id: (rebuild) => nodeId('rebuild', rebuild.id),
            nodes: (rebuilds) => rebuilds.map(rebuildNode),
            judge: rebuiltAs,
          }),
          relation<AttestationFact>({
            edgeType: 'attests', memberType: 'attestation', direction: 'down', of: `about ${node.label}`,
            members: (limit) => reader.attestationsOf(digest, limit),
            id: (attestation) => nodeId('attestation', attestation.documentId),
            nodes: (attestations) => attestations.map(attestationNode),
            judge: attestationClaim,
          }),
        )
        break
      }
      case 'attestation': {
        const attestation = fact.value
        const recorded = attestation.deploymentId
        if (direction === 'down' && recorded !== null) {
          relations.push(
            relation<DeploymentFact>({
              edgeType: 'attests', memberType: 'deployment', direction: 'down', of: `recorded by ${node.label}`,
              members: async () => membersOf(await reader.deploymentsById([recorded]), () => attestationClaim(attestation)),
              id: deploymentId,
              nodes: (deployments) => deployments.map(deploymentNode),
              judge: () => attestationClaim(attestation),
            }),
          )
        }
        break
      }
      case 'deployment': {
        const deployment = fact.value
        if (direction === 'up') {
          relations.push(
            relation<ArtifactRef>({
              edgeType: 'deployed-to', memberType: 'artifact', direction: 'up', of: `deployed by ${node.label}`,
              members: () => Promise.resolve(membersOf(deployment.artifacts, () => deploymentRecord(deployment))),
              id: artifactId,
              nodes: artifactNodes,
              judge: () => deploymentRecord(deployment),
            }),
          )
        } else {
          relations.push(
            relation<EnvironmentFact>({
              edgeType: 'deployed-to', memberType: 'environment', direction: 'down', of: `of ${node.label}`,
              members: async () => {
                const environment = await reader.environment(deployment.environment)
                return membersOf(environment === null ? [] : [environment], () => deploymentRecord(deployment))
              },
              id: (environment) => nodeId('environment', environment.name),
              nodes: (environments) => environments.map(environmentNode),
              judge: () => deploymentRecord(deployment),
            }),
          )
        }
        break
      }
      case 'environment': {
        const name = fact.value.name
        if (direction === 'up') {
          relations.push(
            relation<DeploymentFact>({
              edgeType: 'deployed-to', memberType: 'deployment', direction: 'up', of: `to ${name}`,
              members: (limit) => reader.deploymentsIn(name, limit),
              id: deploymentId,
              nodes: (deployments) => deployments.map(deploymentNode),
              judge: deploymentRecord,
            }),
          )
        }
        break
      }
      case 'sbom':
      case 'rebuild':
        break
    }
    return relations
  }

  /** How many of a relation's neighbours are already joined to the node in the graph. */
  const drawnEdges = (id: string, relation: Relation): number => joined.get(`${id}|${relation.edgeType}|${relation.memberType}`) ?? 0

  /**
   * Edges point downstream, from what came first to what came of it: depends-on from the input artifact to the
   * build that used it, whichever way the walk crossed it (up from the build or down from the artifact).
   */
  const edgeEnds = (relation: Relation, anchor: string, member: string): [string, string] =>
    relation.direction === 'down' ? [anchor, member] : [member, anchor]

  // Breadth first, one level at a time, so distances are shortest and the cut is at one depth. A level's questions
  // are all asked at once, before any answer is used: a reader can answer each kind of question for the whole
  // frontier in one query (the server's does), and the answers are then taken in frontier order, so the graph is
  // the same whatever order they arrive in.
  const directions: Direction[] = query.direction === 'both' ? ['up', 'down'] : [query.direction]
  let frontier: { id: string; direction: Direction }[] = directions.map((direction) => ({ id: root.node.id, direction }))
  const seen = new Set(frontier.map((entry) => `${entry.id}|${entry.direction}`))
  let full = false
  for (let distance = 0; frontier.length > 0; distance++) {
    const next: { id: string; direction: Direction }[] = []
    // At the edge of the graph only how many neighbours there are is asked (a count, no rows read), so where it
    // was cut can be said.
    const atEdge = distance >= query.depth || full
    const asked = frontier.flatMap(({ id, direction }) => relationsOf(id, direction).map((relation) => ({ id, relation })))
    const answers = await Promise.all(
      asked.map(({ id, relation }) => {
        if (atEdge) return relation.fetch(0, () => 0)
        const wanted = expanded.get(groupId(id, relation.edgeType, relation.memberType))
        return relation.fetch(fetchLimit(wanted), (total) => decideGroup(total, wanted).shown)
      }),
    )
    for (const [index, { id, relation }] of asked.entries()) {
      const found = answers[index]
      if (found === undefined) continue
      const gid = groupId(id, relation.edgeType, relation.memberType)
      if (atEdge || full) {
        // Neighbours already joined to it (reached another way) are not more.
        if (found.total > drawnEdges(id, relation)) markMore(id, full ? 'node-limit' : 'depth')
        continue
      }
      const wanted = expanded.get(gid)
      if (found.total === 0) continue
      const decision = decideGroup(found.total, wanted)
      const shown = found.members
      for (const { node: pending, judged } of shown) {
        if (nodes.size >= NODE_LIMIT && !nodes.has(pending.id)) {
          full = true
          markMore(id, 'node-limit')
          break
        }
        add(pending, distance + 1)
        const [from, to] = edgeEnds(relation, id, pending.id)
        addEdge(relation.edgeType, from, to, judged)
        // Evidence ends the walk (its one neighbour is the artifact), except a deployment attestation's deployment.
        const onward: Direction = relation.direction === 'down' || relation.memberType === 'attestation' ? 'down' : 'up'
        const key = `${pending.id}|${onward}`
        if (!seen.has(key)) {
          seen.add(key)
          next.push({ id: pending.id, direction: onward })
        }
      }
      if (decision.grouped) {
        groups.push({
          id: gid,
          anchor: id,
          memberType: relation.memberType,
          edgeType: relation.edgeType,
          direction: relation.direction,
          label: groupLabel(found.total, relation.memberType, relation.of, found.states, relation.edgeType),
          count: found.total,
          shown: shown.length,
          verified: found.states.verified,
          failed: found.states.failed,
          unverified: found.states.unverified,
          expandCursor: decision.nextShown === null ? null : encodeExpand({ group: gid, shown: decision.nextShown }),
        })
        const [from, to] = edgeEnds(relation, id, gid)
        addEdge(relation.edgeType, from, to, groupState(found.states))
        markMore(id, 'grouped')
      }
    }
    frontier = next
  }

  await enrich(reader, nodes, facts)

  // A commit's own state: whether any provenance in the graph names it with a verified signature.
  for (const node of nodes.values()) {
    if (node.type !== 'commit') continue
    const states = [...edges.values()].filter((edge) => edge.type === 'built-from' && edge.from === node.id).map((edge) => edge.state)
    if (states.length > 0) node.state = states.includes('verified') ? 'verified' : worst(states)
  }

  const order = [...nodes.values()].sort((a, b) => a.distance - b.distance)
  return {
    kind: 'graph',
    graph: LineageGraph.parse({
      root: root.node.id,
      resolvedAs: root.resolvedAs,
      depth: query.depth,
      direction: query.direction,
      nodes: order,
      edges: [...edges.values()],
      groups,
      truncated: { cut: cuts.size > 0, at: [...cuts.entries()].map(([node, reason]) => ({ node, reason })), nodeLimit: NODE_LIMIT },
    }),
  }
}

const attestationClaim = (attestation: AttestationFact): Judged =>
  attestation.vsa !== null
    ? vsaClaim(attestation.vsa, attestation.status, attestation.failedCheck, attestation.signer)
    : claimBy(attestation.deploymentId !== null ? DEPLOYMENT_PREDICATE_LABEL : 'attestation', attestation.status, attestation.failedCheck, attestation.signer)

/** An artifact only a provenance or a deployment names: nothing else is known of it. */
function unknownArtifact(ref: ArtifactRef): ArtifactFacts {
  return {
    digest: ref.digest,
    name: ref.name,
    project: null,
    provenance: { status: 'none', buildId: null, sourceRepo: null, sourceCommit: null, verifiedPath: false, rebuildDisagrees: false, reason: 'no provenance names this digest' },
    deployed: 0,
    known: false,
  }
}

/** Members held in full, their edge states judged one by one. */
export function membersOf<T>(items: readonly T[], judge: (item: T) => Judged, total = items.length): Members<T> {
  const states: Record<EdgeState, number> = { verified: 0, failed: 0, unverified: 0 }
  for (const item of items) states[judge(item).state]++
  return { total, items: [...items], states }
}

/**
 * Facts read for the whole graph at once, after the walk: where each document came from (a registry or CI system a
 * source connector pulled it from) and each artifact's newest gate decisions. Two questions a graph, not a node.
 */
async function enrich(reader: LineageReader, nodes: ReadonlyMap<string, LineageNode>, facts: ReadonlyMap<string, Fact>): Promise<void> {
  const byDocument = new Map<string, LineageNode[]>()
  const digests: string[] = []
  for (const node of nodes.values()) {
    const fact = facts.get(node.id)
    if (fact === undefined) continue
    const documentId =
      fact.type === 'build' ? fact.value.documentId : fact.type === 'attestation' || fact.type === 'sbom' || fact.type === 'rebuild' ? fact.value.documentId : null
    if (documentId !== null) byDocument.set(documentId, [...(byDocument.get(documentId) ?? []), node])
    if (fact.type === 'artifact') digests.push(fact.value.digest)
  }
  const [origins, decisions] = await Promise.all([
    byDocument.size === 0 ? new Map<string, LineagePulledFrom>() : reader.originsOf([...byDocument.keys()]),
    digests.length === 0 ? new Map<string, LineageGateDecision[]>() : reader.gateDecisionsOf(digests, GATE_DECISIONS_SHOWN),
  ])
  for (const [documentId, pulledFrom] of origins) {
    for (const node of byDocument.get(documentId) ?? []) {
      if (node.type === 'build' || node.type === 'attestation' || node.type === 'sbom' || node.type === 'rebuild') node.facts.pulledFrom = pulledFrom
    }
  }
  for (const node of nodes.values()) {
    if (node.type === 'artifact') node.facts.gateDecisions = (decisions.get(node.facts.digest) ?? []).slice(0, GATE_DECISIONS_SHOWN)
  }
}
