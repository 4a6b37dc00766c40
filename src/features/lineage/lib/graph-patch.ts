import type { LineageEdge, LineageGraph, LineageNode } from '../../../contract/lineage'

/*
 * A refreshed lineage answer as the difference from the one before it: the nodes and edges that changed, by
 * position. Worked out where the answer is parsed (a worker), so that the page receives a few records instead of a
 * 5 MB graph, keeps every unchanged node's object (its identity is what tells the canvas and the list what to redo),
 * and allocates almost nothing, which leaves no garbage of a whole answer for the page's thread to collect.
 */

/** The changed nodes and edges of an answer with the same structure as the one before it: [position, new record]. */
export type GraphPatch = {
  nodes: Array<[number, LineageNode]>
  edges: Array<[number, LineageEdge]>
}

/**
 * What changed from `before` to `after` when both list the same nodes and edges in the same order, with the same
 * root, groups and cut (a refresh in which only states and facts moved); null when anything else differs, and the
 * whole answer must be used instead. A node or edge counts as changed when any of its fields differs.
 */
export function diffGraph(before: LineageGraph, after: LineageGraph): GraphPatch | null {
  if (
    before.root !== after.root ||
    before.resolvedAs !== after.resolvedAs ||
    before.depth !== after.depth ||
    before.direction !== after.direction ||
    before.nodes.length !== after.nodes.length ||
    before.edges.length !== after.edges.length ||
    JSON.stringify(before.groups) !== JSON.stringify(after.groups) ||
    JSON.stringify(before.truncated) !== JSON.stringify(after.truncated)
  ) {
    return null
  }
  const patch: GraphPatch = { nodes: [], edges: [] }
  for (let i = 0; i < after.nodes.length; i++) {
    const a = before.nodes[i]!
    const b = after.nodes[i]!
    if (a.id !== b.id) return null
    // Field by field through the text: a node's facts nest (gate decisions, where a document was pulled from).
    if (JSON.stringify(a) !== JSON.stringify(b)) patch.nodes.push([i, b])
  }
  for (let i = 0; i < after.edges.length; i++) {
    const a = before.edges[i]!
    const b = after.edges[i]!
    if (a.id !== b.id || a.from !== b.from || a.to !== b.to) return null
    if (a.type !== b.type || a.state !== b.state || a.reason !== b.reason) patch.edges.push([i, b])
  }
  return patch
}

/**
 * The answer `patch` was made against, with its changes applied: a new graph object whose unchanged nodes and edges
 * are the very objects of `base` (and `base` itself when nothing changed, so the page sees no change at all).
 * Throws when the patch does not fit the base, which would be a bug in the caller's bookkeeping.
 */
export function applyPatch(base: LineageGraph, patch: GraphPatch): LineageGraph {
  if (patch.nodes.length === 0 && patch.edges.length === 0) return base
  const nodes = patch.nodes.length === 0 ? base.nodes : base.nodes.slice()
  for (const [index, node] of patch.nodes) {
    if (nodes[index]?.id !== node.id) throw new Error(`a lineage patch does not fit its answer: node ${index} is not ${node.id}`)
    nodes[index] = node
  }
  const edges = patch.edges.length === 0 ? base.edges : base.edges.slice()
  for (const [index, edge] of patch.edges) {
    if (edges[index]?.id !== edge.id) throw new Error(`a lineage patch does not fit its answer: edge ${index} is not ${edge.id}`)
    edges[index] = edge
  }
  return { ...base, nodes, edges }
}
