import { describe, expect, it } from 'vitest'
import type { LineageGraph } from '../../../contract/lineage'
import { layoutGraph } from './layout'
import { buildView, refreshView } from './lineage-view'
import { buildScene, changedRects, intersects, layoutInput, NODE_WIDTH, sceneChanges } from './scene'
import { syntheticLineage } from './synthetic-lineage'
import { snapViewport, tileRect, tilesAround, TILE_SIZE } from './tiles'

const sceneOf = (graph: LineageGraph) => {
  const view = buildView([graph])
  return buildScene(view, layoutGraph(layoutInput(view)))
}

describe('a state change between two scenes of one layout', () => {
  const graph = syntheticLineage(300)
  const scene = sceneOf(graph)
  const target = graph.nodes.findIndex((node) => node.type === 'artifact' && node.state === 'verified')
  const changed: LineageGraph = { ...graph, nodes: graph.nodes.map((node, index) => (index === target ? { ...node, state: 'failed' } : node)) }
  const refreshed = buildScene(refreshView(scene.view, [graph], [changed])!, scene.layout)

  it('keeps the geometry and names only the changed node for repainting', () => {
    expect(refreshed.columns).toBe(scene.columns)
    const node = scene.view.index.get(graph.nodes[target]!.id)!
    expect(sceneChanges(scene, refreshed)).toEqual({ nodes: [node], edges: [] })
    const [rect] = changedRects(refreshed, { nodes: [node], edges: [] }, 1)
    // The node's box and room for its stroke, nothing more.
    expect(rect!.left).toBeLessThan(scene.layout.x[node]!)
    expect(rect!.right).toBeGreaterThan(scene.layout.x[node]! + NODE_WIDTH)
    expect(rect!.right - rect!.left).toBeLessThan(NODE_WIDTH + 20)
  })

  it('repaints everything when the layout differs (a new structure)', () => {
    expect(sceneChanges(scene, sceneOf(syntheticLineage(300)))).toBeNull()
  })

  it('names a changed edge by the box around its route', () => {
    const edge = 5
    const edges = graph.edges.map((other, index) => (index === edge ? { ...other, state: 'failed' as const } : other))
    const view = refreshView(scene.view, [graph], [{ ...graph, edges }])!
    const changes = sceneChanges(scene, buildScene(view, scene.layout))!
    expect(changes.nodes).toEqual([])
    expect(changes.edges).toHaveLength(1)
    const [rect] = changedRects(scene, changes, 1)
    const e = changes.edges[0]!
    for (let p = scene.layout.edgeOffsets[e]!; p < scene.layout.edgeOffsets[e + 1]!; p++) {
      const point = { left: scene.layout.edgePoints[2 * p]!, top: scene.layout.edgePoints[2 * p + 1]! }
      expect(intersects(rect!, { ...point, right: point.left + 1e-3, bottom: point.top + 1e-3 })).toBe(true)
    }
  })
})

describe('the tiles of the drawn graph', () => {
  it('cover the view exactly, the one nearest its centre first', () => {
    const view = { x: 100, y: 50, scale: 0.5 }
    const tiles = tilesAround(view, 1366, 630, 1)
    // At zoom 0.5 the view starts at device pixel (50, 25) and spans 1,366 × 630: columns 0–2, rows 0–1.
    expect(tiles).toHaveLength(6)
    expect(new Set(tiles.map(([column, row]) => `${column},${row}`))).toEqual(new Set(['0,0', '1,0', '2,0', '0,1', '1,1', '2,1']))
    expect(tiles[0]).toEqual([1, 0])
    expect(tilesAround(view, 1366, 630, 1, 1)).toHaveLength(20)
  })

  it('lie on a grid fixed to the graph, so a pan reuses them and a tile meets its neighbour without a gap', () => {
    const a = tileRect(2, -1, 0.8, 2)
    const b = tileRect(3, -1, 0.8, 2)
    expect(a.right).toBeCloseTo(b.left, 9)
    expect(a.right - a.left).toBeCloseTo(TILE_SIZE / 0.8, 9)
    expect(a.top).toBeCloseTo(-TILE_SIZE / 0.8, 9)
  })

  it('are copied at whole device pixels: the snapped view starts on one', () => {
    const snapped = snapViewport({ x: 10.3, y: -7.77, scale: 0.37 }, 2)
    expect(Number.isInteger(Math.round(snapped.x * 0.74 * 1e6) / 1e6)).toBe(true)
    expect(Number.isInteger(Math.round(snapped.y * 0.74 * 1e6) / 1e6)).toBe(true)
    expect(Math.abs(snapped.x - 10.3) * 0.74).toBeLessThanOrEqual(0.5)
  })
})
