import { describe, expect, it } from 'vitest'
import { LineageQuery, lineageLayer } from '../src/contract/lineage'
import { judgeProvenance } from './deployment-provenance'
import { dependencyRefs, produced, stateOfStatus } from './lineage-edges'
import { encodeExpand, groupId } from './lineage-grouping'
import { GATE_DECISIONS_SHOWN, membersOf, NODE_LIMIT, walkLineage, type ArtifactRef, type AttestationFact, type BuildFact, type DeploymentFact, type LineageReader } from './lineage-walk'

/* The walk over a small in-memory world: which nodes and edges it assembles, never how a store finds them. */

const hex = (seed: string, length = 64) => seed.repeat(length).slice(0, length)
const commit = hex('c', 40)
const build = (id: string, over: Partial<BuildFact> = {}): BuildFact => ({
  id: hex(id), documentId: hex(`p${id}`), project: 'acme/api', status: 'verified', failedCheck: null, builderId: null, buildType: null,
  sourceRepo: 'https://github.com/acme/api', sourceCommit: commit, time: 1_000, signer: 'release-key', ...over,
})

function world(builds: BuildFact[], subjects: (b: BuildFact) => ArtifactRef[], deployments: DeploymentFact[] = [], inputs: (b: BuildFact) => ArtifactRef[] = () => []): LineageReader {
  const none = { total: 0, items: [], states: { verified: 0, failed: 0, unverified: 0 } }
  const slice = <T,>(items: T[], limit: number, judge = () => produced(build('x'))) => ({ ...membersOf(items, judge), items: items.slice(0, limit) })
  const byDigest = new Map<string, BuildFact[]>()
  for (const candidate of builds) for (const ref of subjects(candidate)) byDigest.set(ref.digest, [...(byDigest.get(ref.digest) ?? []), candidate])
  const producing = (digest: string) => byDigest.get(digest) ?? []
  return {
    buildsById: (ids) => Promise.resolve(builds.filter((candidate) => ids.includes(candidate.id))),
    deploymentsById: (ids) => Promise.resolve(deployments.filter((candidate) => ids.includes(candidate.id))),
    digestsWithPrefix: () => Promise.resolve([]),
    commitsWithPrefix: (prefix) => Promise.resolve(commit.startsWith(prefix) ? [{ commit, repo: 'https://github.com/acme/api', project: 'acme/api' }] : []),
    environment: (name) => Promise.resolve({ name, services: 1, flagged: 0 }),
    artifacts: (refs) => Promise.resolve(refs.map((ref) => ({ digest: ref.digest, name: ref.name, project: 'acme/api', provenance: judgeProvenance(producing(ref.digest), []), deployed: 0, known: true }))),
    buildsOfCommit: (sha, limit) => Promise.resolve(slice(builds.filter((candidate) => candidate.sourceCommit === sha), limit)),
    buildsProducing: (digest, limit) => Promise.resolve(slice(producing(digest), limit)),
    subjectsOf: (of, limit) => Promise.resolve(slice(subjects(of), limit)),
    buildsDependingOn: (digest, limit) => {
      const found = builds.filter((candidate) => inputs(candidate).some((ref) => ref.digest === digest))
      return Promise.resolve({ ...membersOf(found, produced), items: found.slice(0, limit) })
    },
    dependenciesOf: (of, limit) => Promise.resolve(slice(inputs(of), limit)),
    sbomsOf: () => Promise.resolve(none),
    rebuildsOf: () => Promise.resolve(none),
    attestationsOf: () => Promise.resolve(none),
    deploymentsOf: (digest, limit) => Promise.resolve(slice(deployments.filter((candidate) => candidate.artifacts.some((ref) => ref.digest === digest)), limit)),
    deploymentsIn: () => Promise.resolve(none),
    originsOf: () => Promise.resolve(new Map()),
    gateDecisionsOf: () => Promise.resolve(new Map()),
  }
}

const deployment: DeploymentFact = {
  id: hex('d'), environment: 'production', cluster: null, namespace: null, region: null, service: 'api', project: 'acme/api', deployedAt: 2_000,
  system: 'argo-cd', runUrl: null, recordedBy: 'api', documentId: null, signature: null, replacedBy: null, current: true,
  artifacts: [{ digest: `sha256:${hex('1')}`, name: 'api' }], flagged: false, rebuildDisagrees: false,
}

describe('dependencyRefs', () => {
  it('takes each well-formed sha256 once, lower-cased, named by name or else URI, and skips the rest', () => {
    const upper = 'AB'.repeat(32)
    expect(
      dependencyRefs([
        { uri: 'git+https://github.com/acme/api', name: null, digest: { gitCommit: hex('c', 40) } },
        { uri: 'pkg:oci/base', name: null, digest: { sha256: upper } },
        { uri: 'pkg:oci/base', name: 'again', digest: { sha256: upper.toLowerCase() } },
        { uri: null, name: 'go', digest: { sha256: 'not-a-digest' } },
        { uri: null, name: 'short', digest: { sha256: 'ab'.repeat(16) } },
      ]),
    ).toEqual([{ digest: `sha256:${upper.toLowerCase()}`, name: 'pkg:oci/base' }])
  })
})

describe('walkLineage', () => {
  it('walks up to the commit and down to the environment without zig-zagging to the commit’s other builds; edges run layer by layer', async () => {
    const first = build('1')
    const sibling = build('2', { time: 2_000 })
    const reader = world([first, sibling], (of) => [{ digest: `sha256:${of.id}`, name: 'api' }], [deployment])
    const outcome = await walkLineage(reader, LineageQuery.parse({ from: first.id, depth: 3 }))
    if (outcome.kind !== 'graph') throw new Error(outcome.kind)
    const { graph } = outcome
    expect(graph.resolvedAs).toBe('build')
    expect(graph.nodes.map((node) => `${node.type}@${node.distance}`).sort()).toEqual(['artifact@1', 'build@0', 'commit@1', 'deployment@2', 'environment@3'])
    expect(graph.nodes.some((node) => node.key === sibling.id)).toBe(false)
    for (const edge of graph.edges) {
      const from = graph.nodes.find((node) => node.id === edge.from)
      const to = graph.nodes.find((node) => node.id === edge.to)
      expect(from && to && lineageLayer[from.type] < lineageLayer[to.type], edge.id).toBe(true)
    }
    expect(graph.edges.find((edge) => edge.type === 'built-from')).toMatchObject({ state: 'verified', reason: `provenance verified (signed by release-key); names commit ${commit.slice(0, 7)}` })
    // Walking up, nothing lies beyond the commit: its other builds are not cut off, they are not this build's lineage.
    const shallow = await walkLineage(reader, LineageQuery.parse({ from: first.id, depth: 1, direction: 'up' }))
    if (shallow.kind !== 'graph') throw new Error(shallow.kind)
    expect(shallow.graph.truncated).toMatchObject({ cut: false })
  })

  it('stops at the node limit and says where, however far groups are expanded', async () => {
    const many = Array.from({ length: 3000 }, (_, index) => build(index.toString(16).padStart(4, '0'), { time: index }))
    const reader = world(many, (of) => Array.from({ length: 5 }, (_, index) => ({ digest: `sha256:${hex(`${of.id.slice(0, 4)}${index}`)}`, name: `file-${index}` })))
    const anchor = `commit:${commit}`
    const expand = encodeExpand({ group: groupId(anchor, 'built-from', 'build'), shown: 500 })
    const outcome = await walkLineage(reader, LineageQuery.parse({ from: commit, direction: 'down', depth: 2, expand }))
    if (outcome.kind !== 'graph') throw new Error(outcome.kind)
    const { graph } = outcome
    expect(graph.groups[0]).toMatchObject({ anchor, count: 3000, shown: 500, expandCursor: null })
    expect(graph.nodes.length).toBe(NODE_LIMIT)
    expect(graph.truncated.cut).toBe(true)
    expect(graph.truncated.at.some((cut) => cut.reason === 'node-limit')).toBe(true)
    expect(new Set(graph.nodes.map((node) => node.id)).size).toBe(graph.nodes.length)
  }, 60_000)

  it('walks depends-on both ways: up from a build to what it used, down from an artifact to the builds that used it and on to what they made', async () => {
    const base = build('b', { project: 'platform/base-image', sourceCommit: hex('e', 40) })
    const baseImage: ArtifactRef = { digest: `sha256:${hex('b')}`, name: 'base-image' }
    const users = [build('1', { time: 2_000 }), build('2', { time: 3_000, status: 'failed', failedCheck: 'envelope-signature' })]
    const reader = world([base, ...users], (of) => [of === base ? baseImage : { digest: `sha256:${of.id}`, name: 'api' }], [], (of) => (of === base ? [] : [baseImage]))

    const down = await walkLineage(reader, LineageQuery.parse({ from: baseImage.digest, depth: 2, direction: 'down' }))
    if (down.kind !== 'graph') throw new Error(down.kind)
    const artifactId = `artifact:${baseImage.digest}`
    const dependants = down.graph.edges.filter((edge) => edge.type === 'depends-on')
    // The edge runs from the input artifact to the build that used it, whichever way it was walked.
    expect(dependants.map((edge) => [edge.from, edge.to, edge.state]).sort()).toEqual([
      [artifactId, `build:${users[0]?.id}`, 'verified'],
      [artifactId, `build:${users[1]?.id}`, 'failed'],
    ])
    expect(dependants.find((edge) => edge.state === 'failed')?.reason).toBe('a resolved dependency; provenance failed verification: envelope-signature')
    // Onward from each dependant to what it produced; never back up to the base image's own build.
    expect(down.graph.nodes.filter((node) => node.type === 'artifact' && node.distance === 2).map((node) => node.key).sort()).toEqual(users.map((user) => `sha256:${user.id}`).sort())
    expect(down.graph.nodes.some((node) => node.key === base.id)).toBe(false)

    const up = await walkLineage(reader, LineageQuery.parse({ from: users[0]?.id, depth: 2, direction: 'up' }))
    if (up.kind !== 'graph') throw new Error(up.kind)
    expect(up.graph.edges.find((edge) => edge.type === 'depends-on')).toMatchObject({ from: artifactId, to: `build:${users[0]?.id}` })
    // Up from the input artifact: the build that produced it, not its other dependants.
    expect(up.graph.nodes.map((node) => node.key)).toContain(base.id)
    expect(up.graph.nodes.some((node) => node.key === users[1]?.id)).toBe(false)
  })

  it('groups thousands of dependants of one artifact, counting their states without listing them', async () => {
    const baseImage: ArtifactRef = { digest: `sha256:${hex('b')}`, name: 'base-image' }
    const many = Array.from({ length: 1500 }, (_, index) => build(index.toString(16).padStart(4, '0'), { time: index, status: index % 100 === 0 ? 'failed' : 'verified' }))
    const reader = world(many, (of) => [{ digest: `sha256:${of.id}`, name: 'api' }], [], () => [baseImage])
    const outcome = await walkLineage(reader, LineageQuery.parse({ from: baseImage.digest, depth: 1, direction: 'down' }))
    if (outcome.kind !== 'graph') throw new Error(outcome.kind)
    const group = outcome.graph.groups.find((candidate) => candidate.edgeType === 'depends-on')
    expect(group).toMatchObject({ memberType: 'build', direction: 'down', count: 1500, shown: 3, verified: 1485, failed: 15, label: `1500 builds depending on sha256:bbbbbb…, 99% verified, 15 failed` })
    expect(outcome.graph.nodes.filter((node) => node.type === 'build')).toHaveLength(3)
  })

  it('attaches VSAs to their artifact, judged by their own signature and verdict, with where each document was pulled from and the gate decisions', async () => {
    const one = build('1')
    const digest = `sha256:${hex('1')}`
    const vsa = (id: string, result: 'PASSED' | 'FAILED', status: AttestationFact['status']): AttestationFact => ({
      documentId: hex(id), format: 'dsse', predicateType: 'https://slsa.dev/verification_summary/v1', status, failedCheck: null, signer: status === 'verified' ? 'verifier-key' : null,
      ingestedAt: 3_000, deploymentId: null, vsa: { verifierId: 'https://verifier.example', result, levels: ['SLSA_BUILD_LEVEL_3'], policyUri: null, timeVerified: null },
    })
    const vsas = [vsa('a', 'PASSED', 'verified'), vsa('b', 'FAILED', 'verified'), vsa('e', 'PASSED', 'unsigned')]
    const decision = { id: hex('9'), decision: 'deny' as const, release: 'deny' as const, policy: 'release', environment: 'production', decidedAt: '2026-11-01T00:00:00.000Z', askedBy: 'ci', failed: ['attestations-present'], href: `/api/v1/gate/decisions?digest=${digest}` }
    const pulled = { source: 'ghcr', kind: 'oci', url: 'https://ghcr.example/v2/acme/api/blobs/sha256:00', at: '2026-10-01T00:00:00.000Z' }
    const asked: string[][] = []
    const reader: LineageReader = {
      ...world([one], () => [{ digest, name: 'api' }]),
      attestationsOf: (of, limit) => Promise.resolve(of === digest ? { ...membersOf(vsas, (fact) => ({ state: stateOfStatus(fact.status), reason: '' })), items: vsas.slice(0, limit) } : { total: 0, items: [], states: { verified: 0, failed: 0, unverified: 0 } }),
      originsOf: (ids) => {
        asked.push([...ids])
        return Promise.resolve(new Map([[one.documentId, pulled], [hex('a'), pulled]]))
      },
      gateDecisionsOf: (digests, limit) => Promise.resolve(new Map(digests.map((each) => [each, Array.from({ length: limit + 2 }, () => decision)]))),
    }
    const outcome = await walkLineage(reader, LineageQuery.parse({ from: digest, depth: 2 }))
    if (outcome.kind !== 'graph') throw new Error(outcome.kind)
    const edgeTo = (id: string) => outcome.graph.edges.find((edge) => edge.type === 'attests' && edge.to === `attestation:${hex(id)}`)
    expect(edgeTo('a')).toMatchObject({ from: `artifact:${digest}`, state: 'verified', reason: 'VSA from https://verifier.example verified (signed by verifier-key); it says PASSED (SLSA_BUILD_LEVEL_3)' })
    expect(edgeTo('b')).toMatchObject({ state: 'failed', reason: 'VSA from https://verifier.example verified (signed by verifier-key); the verifier says the artifact FAILED' })
    expect(edgeTo('e')).toMatchObject({ state: 'unverified', reason: 'VSA from https://verifier.example not signed; it says PASSED (SLSA_BUILD_LEVEL_3)' })
    const node = (id: string) => outcome.graph.nodes.find((candidate) => candidate.id === id)
    expect(node(`attestation:${hex('a')}`)).toMatchObject({ label: 'VSA PASSED SLSA_BUILD_LEVEL_3', facts: { vsa: { result: 'PASSED' }, pulledFrom: pulled } })
    expect(node(`attestation:${hex('e')}`)?.facts).not.toHaveProperty('pulledFrom')
    expect(node(`build:${one.id}`)?.facts).toMatchObject({ pulledFrom: pulled })
    const artifact = node(`artifact:${digest}`)
    expect(artifact?.type === 'artifact' ? artifact.facts.gateDecisions : null).toHaveLength(GATE_DECISIONS_SHOWN)
    // One question for the whole graph's documents, after the walk.
    expect(asked).toHaveLength(1)
    expect([...(asked[0] ?? [])].sort()).toEqual([one.documentId, hex('a'), hex('b'), hex('e')].sort())
  })

  it('answers an unknown or malformed from and a foreign expand cursor as outcomes, not exceptions', async () => {
    const reader = world([build('1')], () => [])
    expect(await walkLineage(reader, LineageQuery.parse({ from: 'f'.repeat(20) }))).toMatchObject({ kind: 'not-found' })
    expect(await walkLineage(reader, LineageQuery.parse({ from: 'hello there' }))).toMatchObject({ kind: 'invalid', path: 'query.from' })
    expect(await walkLineage(reader, LineageQuery.parse({ from: commit, expand: 'abc' }))).toMatchObject({ kind: 'invalid', path: 'query.expand' })
  })
})
