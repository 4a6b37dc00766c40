import { describe, expect, it } from 'vitest'
import type { EdgeState, LineageEdge, LineageGraph, LineageGroup, LineageNode } from '../../../contract/lineage'
import { layoutGraph } from './layout'
import { buildView, findNodes, refreshView, shortKey, structureKey } from './lineage-view'
import { layoutInput, neighbourInDirection } from './scene'

const digest = (n: number) => `sha256:${String(n).repeat(64).slice(0, 64)}`
const common = (id: string, label: string, key: string, state: EdgeState = 'verified') => ({ id, label, key, state, distance: 1, more: false })

const commit: LineageNode = { ...common('commit:abc1234', 'abc1234', 'abc1234def'), type: 'commit', facts: { repo: null, commit: 'abc1234def', project: 'acme/api' } }
const build = (n: number, time: string): LineageNode => ({
  ...common(`build:${n}`, `acme/api #${n}`, String(n).repeat(64)),
  type: 'build',
  facts: { project: 'acme/api', status: 'verified', failedCheck: null, builderId: null, buildType: null, sourceRepo: null, sourceCommit: 'abc1234def', time },
})
const artifact = (n: number, flags: Partial<{ deployed: boolean; disagrees: boolean }> = {}): LineageNode => ({
  ...common(`artifact:${digest(n)}`, `api-linux-amd64`, digest(n)),
  type: 'artifact',
  facts: {
    digest: digest(n),
    name: 'api-linux-amd64',
    project: 'acme/api',
    provenance: 'verified',
    verifiedPath: !flags.deployed,
    rebuildDisagrees: flags.disagrees ?? false,
    deployedWithoutVerifiedProvenance: flags.deployed ?? false,
  },
})
const deployment = (n: number, environment: string, flagged = false): LineageNode => ({
  ...common(`deployment:${n}`, `api → ${environment}`, String(n).repeat(64), flagged ? 'unverified' : 'verified'),
  type: 'deployment',
  facts: { environment, cluster: null, namespace: null, region: null, service: 'api', project: 'acme/api', deployedAt: '2026-03-01T10:00:00Z', system: 'argo', runUrl: null, recordedBy: 'api', current: true, replacedBy: null, flagged },
})
const environment = (name: string): LineageNode => ({ ...common(`environment:${name}`, name, `env:${name}`), type: 'environment', facts: { name, services: 1, flagged: 0 } })
const edge = (type: LineageEdge['type'], from: string, to: string, state: EdgeState = 'verified'): LineageEdge => ({ id: `${type}|${from}|${to}`, type, from, to, state, reason: 'test' })

function graph(nodes: LineageNode[], edges: LineageEdge[], groups: LineageGroup[] = [], root = nodes[0]!.id): LineageGraph {
  return { root, resolvedAs: 'digest', depth: 3, direction: 'both', nodes, edges, groups, truncated: { cut: groups.length > 0, at: [], nodeLimit: 500 } }
}

const chain = graph(
  [artifact(1), commit, build(1, '2026-03-01T09:00:00Z'), deployment(1, 'production'), environment('production')],
  [
    edge('built-from', 'commit:abc1234', 'build:1'),
    edge('produced', 'build:1', `artifact:${digest(1)}`),
    edge('deployed-to', `artifact:${digest(1)}`, 'deployment:1', 'failed'),
    edge('deployed-to', 'deployment:1', 'environment:production'),
  ],
)

describe('buildView', () => {
  it('places each node type in its layer and names each node with its type, label, short key and state', () => {
    const view = buildView([chain])
    const byId = (id: string) => view.nodes[view.index.get(id)!]!
    expect(byId('commit:abc1234').layer).toBe(0)
    expect(byId('build:1').layer).toBe(1)
    expect(byId(`artifact:${digest(1)}`).layer).toBe(2)
    expect(byId('deployment:1').layer).toBe(4)
    expect(byId('environment:production').layer).toBe(5)
    expect(byId(`artifact:${digest(1)}`).name).toBe('artifact api-linux-amd64 sha256:111111…, verified')
    expect(view.edges).toHaveLength(4)
    expect(view.edges.find((e) => e.type === 'deployed-to' && e.state === 'failed')).toBeDefined()
  })

  it('flags a deployment without verified provenance and an artifact a rebuild disagrees with, in their names', () => {
    const view = buildView([graph([artifact(2, { disagrees: true }), deployment(2, 'staging', true)], [edge('deployed-to', `artifact:${digest(2)}`, 'deployment:2', 'unverified')])])
    expect(view.nodes.map((node) => node.name)).toEqual([
      'artifact api-linux-amd64 sha256:222222…, verified, a rebuild disagrees',
      'deployment api → staging staging · api, unverified, deployed without verified provenance',
    ])
  })

  it('draws a group of neighbours as one node in its members’ layer, and drops it once an expansion shows them all', () => {
    const group: LineageGroup = {
      id: 'group:commit:abc1234|built-from|build',
      anchor: 'commit:abc1234',
      memberType: 'build',
      edgeType: 'built-from',
      direction: 'down',
      label: '3 builds of acme/api',
      count: 3,
      shown: 1,
      verified: 2,
      failed: 1,
      unverified: 0,
      expandCursor: 'next1',
    }
    const first = graph(
      [commit, build(1, '2026-03-01T09:00:00Z')],
      [edge('built-from', 'commit:abc1234', 'build:1'), { ...edge('built-from', 'commit:abc1234', group.id), id: group.id }],
      [group],
    )
    const view = buildView([first])
    const groupNode = view.nodes[view.index.get(group.id)!]!
    expect(groupNode.layer).toBe(1)
    expect(groupNode.name).toBe('group 3 builds of acme/api, 2 not shown, 2 verified, 1 failed, 0 unverified')
    expect(groupNode.state).toBe('failed')
    expect(view.edges.some((e) => view.nodes[e.to]!.id === group.id)).toBe(true)

    // The expanded answer holds every member: the group node goes, its members and their edges come.
    const expanded = graph(
      [commit, build(1, '2026-03-01T09:00:00Z'), build(2, '2026-03-02T09:00:00Z'), build(3, '2026-03-03T09:00:00Z')],
      [edge('built-from', 'commit:abc1234', 'build:1'), edge('built-from', 'commit:abc1234', 'build:2'), edge('built-from', 'commit:abc1234', 'build:3')],
      [{ ...group, shown: 3, expandCursor: null }],
    )
    const after = buildView([first, expanded])
    expect(after.index.has(group.id)).toBe(false)
    expect(after.nodes.filter((node) => node.kind === 'build')).toHaveLength(3)
    expect(after.edges).toHaveLength(3)
  })

  it('collapsing a node hides what only it reached and counts it; the root stays', () => {
    const view = buildView([chain], { collapsed: new Set([`artifact:${digest(1)}`]) })
    expect(view.nodes.map((node) => node.id)).toEqual([`artifact:${digest(1)}`])
    expect(view.nodes[0]!.hidden).toBe(2)

    const fromDeployment = buildView([chain], { collapsed: new Set(['deployment:1']) })
    expect(fromDeployment.index.has('environment:production')).toBe(false)
    expect(fromDeployment.index.has('commit:abc1234')).toBe(true)
    expect(fromDeployment.nodes[fromDeployment.index.get('deployment:1')!]!.hidden).toBe(1)
  })

  it('focus keeps only the paths through the selected node', () => {
    const side = graph(
      [...chain.nodes, build(9, '2026-03-04T09:00:00Z'), artifact(9)],
      [...chain.edges, edge('built-from', 'commit:abc1234', 'build:9'), edge('produced', 'build:9', `artifact:${digest(9)}`)],
    )
    const view = buildView([side], { focus: 'build:1' })
    expect(view.nodes.map((node) => node.id).sort()).toEqual(['build:1', `artifact:${digest(1)}`, 'commit:abc1234', 'deployment:1', 'environment:production'].sort())
    const other = buildView([side], { focus: 'build:9' })
    expect(other.nodes.map((node) => node.id).sort()).toEqual(['build:9', `artifact:${digest(9)}`, 'commit:abc1234'].sort())
  })

  it('lays out with every edge drawn and a stable structure key across state changes', () => {
    const view = buildView([chain])
    const result = layoutGraph(layoutInput(view))
    expect(result.edgeOffsets).toHaveLength(view.edges.length + 1)
    expect(result.crossings).toBe(0)
    const changed = buildView([{ ...chain, edges: chain.edges.map((e) => ({ ...e, state: 'verified' as const })) }])
    expect(structureKey(changed)).toBe(structureKey(view))
  })
})

describe('refreshView', () => {
  const before = buildView([chain])
  const artifactId = `artifact:${digest(1)}`

  it('replaces only the nodes and edges whose state changed; everything else keeps its identity', () => {
    const changed = graph(
      chain.nodes.map((node) => (node.id === artifactId ? { ...node, state: 'failed' as const } : { ...node })),
      chain.edges.map((edge) => (edge.type === 'deployed-to' && edge.state === 'failed' ? { ...edge, state: 'verified' as const, reason: 'signed now' } : { ...edge })),
    )
    const after = refreshView(before, [chain], [changed])!
    const index = after.index.get(artifactId)!
    expect(after.nodes[index]!.state).toBe('failed')
    expect(after.nodes[index]!.name).toBe('artifact api-linux-amd64 sha256:111111…, failed')
    after.nodes.forEach((node, other) => other !== index && expect(node).toBe(before.nodes[other]))
    const edge = after.edges.findIndex((candidate) => candidate.reason === 'signed now')
    expect(after.edges[edge]!.state).toBe('verified')
    after.edges.forEach((candidate, other) => other !== edge && expect(candidate).toBe(before.edges[other]))
    // The same as building it afresh, apart from identity.
    expect(after.nodes.map((node) => node.name)).toEqual(buildView([changed]).nodes.map((node) => node.name))
    expect(after.index).toBe(before.index)
  })

  it('answers the same view when nothing drawn or listed changed', () => {
    expect(refreshView(before, [chain], [graph(chain.nodes.map((node) => structuredClone(node)), chain.edges)])).toBe(before)
  })

  it('gives up (the caller builds again) when the structure changed', () => {
    expect(refreshView(before, [chain], [graph(chain.nodes.slice(0, -1), chain.edges.slice(0, -1))])).toBeNull()
    const moved = chain.edges.map((edge, index) => (index === 0 ? { ...edge, to: 'deployment:1' } : edge))
    expect(refreshView(before, [chain], [graph(chain.nodes, moved)])).toBeNull()
    expect(refreshView(before, [chain], [chain, chain])).toBeNull()
  })

  it('updates the facts the panel reads even when the drawn state is the same', () => {
    const changed = graph(
      chain.nodes.map((node) => (node.type === 'deployment' ? { ...node, facts: { ...node.facts, current: false, replacedBy: 'deployment:2' } } : node)),
      chain.edges,
    )
    const after = refreshView(before, [chain], [changed])!
    const node = after.nodes[after.index.get('deployment:1')!]!.node
    expect(node?.type === 'deployment' && node.facts.replacedBy).toBe('deployment:2')
  })
})

describe('findNodes', () => {
  it('finds by digest prefix with or without sha256:, by label, and by short commit', () => {
    const view = buildView([chain])
    const ids = (text: string) => findNodes(view, text).map((index) => view.nodes[index]!.id)
    expect(ids('sha256:1111')).toEqual([`artifact:${digest(1)}`])
    expect(ids('111111')).toContain(`artifact:${digest(1)}`)
    expect(ids('abc1234')).toEqual(['commit:abc1234'])
    expect(ids('production')[0]).toBe('environment:production')
    expect(ids('   ')).toEqual([])
  })
})

describe('neighbourInDirection', () => {
  it('moves right along the flow and left against it, and up and down among siblings', () => {
    const two = graph(
      [...chain.nodes, build(2, '2026-03-02T09:00:00Z')],
      [...chain.edges, edge('built-from', 'commit:abc1234', 'build:2')],
    )
    const view = buildView([two])
    const at = (id: string) => view.index.get(id)!
    const y = view.nodes.map((node) => (node.id === 'build:2' ? 100 : 0))
    expect(neighbourInDirection(view, at('build:1'), 'right', y)).toBe(at(`artifact:${digest(1)}`))
    expect(neighbourInDirection(view, at('build:1'), 'left', y)).toBe(at('commit:abc1234'))
    expect(neighbourInDirection(view, at('build:1'), 'down', y)).toBe(at('build:2'))
    expect(neighbourInDirection(view, at('build:1'), 'up', y)).toBeNull()
  })
})

describe('shortKey', () => {
  it('shortens digests and hex ids', () => {
    expect(shortKey('sha256:8ebba6aa')).toBe('sha256:8ebba6…')
    expect(shortKey('a'.repeat(40))).toBe('aaaaaaa')
    expect(shortKey('env:production')).toBe('env:production')
  })
})
