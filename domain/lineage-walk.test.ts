import { describe, expect, it } from 'vitest'
import { LineageQuery, lineageLayer } from '../src/contract/lineage'
import { judgeProvenance } from './deployment-provenance'
import { produced } from './lineage-edges'
import { encodeExpand, groupId } from './lineage-grouping'
import { membersOf, NODE_LIMIT, walkLineage, type ArtifactRef, type BuildFact, type DeploymentFact, type LineageReader } from './lineage-walk'

/* The walk over a small in-memory world: which nodes and edges it assembles, never how a store finds them. */

const hex = (seed: string, length = 64) => seed.repeat(length).slice(0, length)
const commit = hex('c', 40)
const build = (id: string, over: Partial<BuildFact> = {}): BuildFact => ({
  id: hex(id), project: 'acme/api', status: 'verified', failedCheck: null, builderId: null, buildType: null,
  sourceRepo: 'https://github.com/acme/api', sourceCommit: commit, time: 1_000, signer: 'release-key', ...over,
})

function world(builds: BuildFact[], subjects: (b: BuildFact) => ArtifactRef[], deployments: DeploymentFact[] = []): LineageReader {
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
    dependenciesOf: () => Promise.resolve(none),
    sbomsOf: () => Promise.resolve(none),
    rebuildsOf: () => Promise.resolve(none),
    attestationsOf: () => Promise.resolve(none),
    deploymentsOf: (digest, limit) => Promise.resolve(slice(deployments.filter((candidate) => candidate.artifacts.some((ref) => ref.digest === digest)), limit)),
    deploymentsIn: () => Promise.resolve(none),
  }
}

const deployment: DeploymentFact = {
  id: hex('d'), environment: 'production', cluster: null, namespace: null, region: null, service: 'api', project: 'acme/api', deployedAt: 2_000,
  system: 'argo-cd', runUrl: null, recordedBy: 'api', documentId: null, signature: null, replacedBy: null, current: true,
  artifacts: [{ digest: `sha256:${hex('1')}`, name: 'api' }], flagged: false, rebuildDisagrees: false,
}

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

  it('answers an unknown or malformed from and a foreign expand cursor as outcomes, not exceptions', async () => {
    const reader = world([build('1')], () => [])
    expect(await walkLineage(reader, LineageQuery.parse({ from: 'f'.repeat(20) }))).toMatchObject({ kind: 'not-found' })
    expect(await walkLineage(reader, LineageQuery.parse({ from: 'hello there' }))).toMatchObject({ kind: 'invalid', path: 'query.from' })
    expect(await walkLineage(reader, LineageQuery.parse({ from: commit, expand: 'abc' }))).toMatchObject({ kind: 'invalid', path: 'query.expand' })
  })
})
