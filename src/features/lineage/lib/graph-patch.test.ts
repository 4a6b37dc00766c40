import { describe, expect, it } from 'vitest'
import type { LineageGraph } from '../../../contract/lineage'
import { applyPatch, diffGraph } from './graph-patch'
import { syntheticLineage } from './synthetic-lineage'

/** The same answer as a fresh parse would give it: equal, but no object shared. */
const reparsed = (graph: LineageGraph): LineageGraph => JSON.parse(JSON.stringify(graph)) as LineageGraph

describe('diffGraph and applyPatch', () => {
  const graph = syntheticLineage(300)

  it('finds nothing changed in an equal answer, and applying that keeps the held graph itself', () => {
    const patch = diffGraph(graph, reparsed(graph))
    expect(patch).toEqual({ nodes: [], edges: [] })
    expect(applyPatch(graph, patch!)).toBe(graph)
  })

  it('carries only the node whose state changed, and the patched graph equals the new answer while sharing every other node', () => {
    const next = reparsed(graph)
    const at = next.nodes.findIndex((node) => node.type === 'artifact' && node.state === 'verified')
    next.nodes[at] = { ...next.nodes[at]!, state: 'failed' }
    const patch = diffGraph(graph, next)!
    expect(patch.nodes.map(([index, node]) => [index, node.state])).toEqual([[at, 'failed']])
    expect(patch.edges).toEqual([])
    const patched = applyPatch(graph, patch)
    expect(patched).toEqual(next)
    expect(patched.nodes.filter((node, index) => node !== graph.nodes[index])).toHaveLength(1)
    expect(patched.edges).toBe(graph.edges)
  })

  it('sees a change deep in a node’s facts and an edge whose state or reason changed', () => {
    const next = reparsed(graph)
    const build = next.nodes.findIndex((node) => node.type === 'build')
    const node = next.nodes[build]!
    if (node.type !== 'build') throw new Error('a build')
    next.nodes[build] = { ...node, facts: { ...node.facts, failedCheck: 'signature' } }
    next.edges[5] = { ...next.edges[5]!, state: 'failed', reason: 'the rebuild’s digest differs' }
    const patch = diffGraph(graph, next)!
    expect(patch.nodes.map(([index]) => index)).toEqual([build])
    expect(patch.edges.map(([index, edge]) => [index, edge.state])).toEqual([[5, 'failed']])
    expect(applyPatch(graph, patch)).toEqual(next)
  })

  it('gives up (the whole answer is used) when the structure differs: a node more, another order, other groups or cut', () => {
    const more = reparsed(graph)
    more.nodes.push({ ...more.nodes[0]!, id: 'commit:another' })
    expect(diffGraph(graph, more)).toBeNull()
    const swapped = reparsed(graph)
    ;[swapped.nodes[0], swapped.nodes[1]] = [swapped.nodes[1]!, swapped.nodes[0]!]
    expect(diffGraph(graph, swapped)).toBeNull()
    const rewired = reparsed(graph)
    rewired.edges[0] = { ...rewired.edges[0]!, to: rewired.edges[1]!.to }
    expect(diffGraph(graph, rewired)).toBeNull()
    const cut = reparsed(graph)
    cut.truncated = { ...cut.truncated, cut: !cut.truncated.cut }
    expect(diffGraph(graph, cut)).toBeNull()
  })

  it('refuses a patch that does not fit the graph it is applied to', () => {
    const next = reparsed(graph)
    next.nodes[3] = { ...next.nodes[3]!, label: 'renamed' }
    const patch = diffGraph(graph, next)!
    const other = syntheticLineage(300, 99)
    expect(() => applyPatch(other, patch)).toThrow(/does not fit/)
  })
})
