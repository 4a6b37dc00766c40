import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { countDrawingCrossings } from './drawing-crossings'
import { defaultLayoutOptions, layoutGraph, LOOP_EDGE, type LayoutInput, type LayoutResult } from './layout'
import { buildView } from './lineage-view'
import { layoutInput } from './scene'
import { syntheticLineage } from './synthetic-lineage'

function graph(layers: number[], edges: Array<[number, number]>, seed?: number[]): LayoutInput {
  return {
    layers: Math.max(1, ...layers.map((layer) => layer + 1)),
    layer: Int32Array.from(layers),
    seed: Float64Array.from(seed ?? layers.map((_, index) => index)),
    height: Float64Array.from(layers.map(() => 40)),
    edges: Int32Array.from(edges.flat()),
  }
}

/** Crossings by brute force: every pair of segments between the same two columns whose ends swap order. */
function bruteCrossings(input: LayoutInput, result: LayoutResult): number {
  const segments: Array<{ gap: number; a: number; b: number }> = []
  for (let e = 0; e < result.edgeKind.length; e++) {
    if (result.edgeKind[e] === LOOP_EDGE) continue
    const left = Math.min(input.layer[input.edges[2 * e]!]!, input.layer[input.edges[2 * e + 1]!]!)
    const from = result.edgeOffsets[e]!
    const to = result.edgeOffsets[e + 1]!
    const ys = [result.edgePoints[2 * from + 1]!]
    for (let p = from + 1; p < to - 1; p += 2) ys.push(result.edgePoints[2 * p + 1]!)
    ys.push(result.edgePoints[2 * (to - 1) + 1]!)
    for (let i = 0; i + 1 < ys.length; i++) segments.push({ gap: left + i, a: ys[i]!, b: ys[i + 1]! })
  }
  let crossings = 0
  for (let i = 0; i < segments.length; i++) {
    for (let j = i + 1; j < segments.length; j++) {
      const s = segments[i]!
      const t = segments[j]!
      if (s.gap === t.gap && (s.a - t.a) * (s.b - t.b) < 0) crossings++
    }
  }
  return crossings
}

function expectNoOverlap(input: LayoutInput, result: LayoutResult): void {
  const columns = new Map<number, number[]>()
  for (let v = 0; v < input.layer.length; v++) {
    const list = columns.get(input.layer[v]!) ?? []
    list.push(v)
    columns.set(input.layer[v]!, list)
  }
  for (const nodes of columns.values()) {
    nodes.sort((a, b) => result.y[a]! - result.y[b]!)
    for (let i = 0; i + 1 < nodes.length; i++) {
      const a = nodes[i]!
      const b = nodes[i + 1]!
      const room = result.y[b]! - result.y[a]! - (input.height[a]! + input.height[b]!) / 2
      // At least the node gap, or twice the gap around an edge passing between them.
      expect(room, `nodes ${a} and ${b} overlap`).toBeGreaterThanOrEqual(Math.min(defaultLayoutOptions.nodeGap, 2 * defaultLayoutOptions.dummyGap) - 1e-6)
    }
  }
}

function expectEdgesJoinTheirNodes(input: LayoutInput, result: LayoutResult): void {
  const width = defaultLayoutOptions.nodeWidth
  for (let e = 0; e < input.edges.length / 2; e++) {
    let a = input.edges[2 * e]!
    let b = input.edges[2 * e + 1]!
    if (input.layer[a]! > input.layer[b]!) [a, b] = [b, a]
    const from = result.edgeOffsets[e]!
    const to = result.edgeOffsets[e + 1]!
    expect(to - from, `edge ${e} has points`).toBeGreaterThanOrEqual(2)
    expect([result.edgePoints[2 * from], result.edgePoints[2 * from + 1]]).toEqual([result.x[a]! + width, result.y[a]])
    const endX = result.edgeKind[e] === LOOP_EDGE ? result.x[b]! + width : result.x[b]
    expect([result.edgePoints[2 * (to - 1)], result.edgePoints[2 * (to - 1) + 1]]).toEqual([endX, result.y[b]])
  }
}

describe('layoutGraph', () => {
  it('puts each layer in its own column, left to right in layer order', () => {
    const input = graph([3, 0, 1, 2, 1, 0], [
      [1, 2],
      [2, 3],
      [3, 0],
      [5, 4],
    ])
    const result = layoutGraph(input)
    for (let v = 0; v < input.layer.length; v++) {
      expect(result.x[v]).toBe(defaultLayoutOptions.margin + input.layer[v]! * (defaultLayoutOptions.nodeWidth + defaultLayoutOptions.layerGap))
    }
    expect(result.width).toBe(defaultLayoutOptions.margin * 2 + 4 * defaultLayoutOptions.nodeWidth + 3 * defaultLayoutOptions.layerGap)
  })

  it('spans only the layers something is in: no empty columns before or after', () => {
    // Six layers known (commits to environments); only builds, artifacts and evidence (1 to 3) are in this graph.
    const input = { ...graph([1, 2, 3], [
      [0, 1],
      [1, 2],
    ]), layers: 6 }
    const result = layoutGraph(input)
    const pitch = defaultLayoutOptions.nodeWidth + defaultLayoutOptions.layerGap
    expect(Array.from(result.x)).toEqual([0, 1, 2].map((column) => defaultLayoutOptions.margin + column * pitch))
    expect(result.width).toBe(defaultLayoutOptions.margin * 2 + 3 * defaultLayoutOptions.nodeWidth + 2 * defaultLayoutOptions.layerGap)
  })

  it('untangles a crossing that a better order removes', () => {
    // Seeds put a above b and c above d, but a→d and b→c: the sweep swaps one pair.
    const input = graph([0, 0, 1, 1], [
      [0, 3],
      [1, 2],
    ])
    expect(layoutGraph(input, { ...defaultLayoutOptions, sweeps: 0 }).crossings).toBe(1)
    const result = layoutGraph(input)
    expect(result.crossings).toBe(0)
    expect(bruteCrossings(input, result)).toBe(0)
  })

  it('counts the crossings no order can avoid: K3,3 between two layers has 9', () => {
    const edges: Array<[number, number]> = []
    for (const a of [0, 1, 2]) for (const b of [3, 4, 5]) edges.push([a, b])
    const input = graph([0, 0, 0, 1, 1, 1], edges)
    const result = layoutGraph(input)
    expect(result.crossings).toBe(9)
    expect(bruteCrossings(input, result)).toBe(9)
  })

  it('routes an edge spanning layers through each column it passes, and counts its crossings there', () => {
    // 0 (layer 0) → 3 (layer 2) passes layer 1, where 1 → 2 → 4 runs: the long edge must cross nothing.
    const input = graph([0, 0, 1, 2, 2], [
      [0, 3],
      [1, 2],
      [2, 4],
    ])
    const result = layoutGraph(input)
    const from = result.edgeOffsets[0]!
    expect(result.edgeOffsets[1]! - from).toBe(4) // start, into the middle column, out of it, end
    expect(result.edgePoints[2 * (from + 1)]).toBe(result.x[2])
    expect(result.crossings).toBe(bruteCrossings(input, result))
    expect(result.crossings).toBe(0)
    expectEdgesJoinTheirNodes(input, result)
  })

  it('draws an edge inside one layer as a loop on the right, outside the ordering', () => {
    const input = graph([1, 1, 0], [
      [0, 1],
      [2, 0],
    ])
    const result = layoutGraph(input)
    expect(result.edgeKind[0]).toBe(LOOP_EDGE)
    expect(result.crossings).toBe(0)
    expectEdgesJoinTheirNodes(input, result)
  })

  it('refuses a node outside the layers and an edge to no node, naming them', () => {
    expect(() => layoutGraph({ ...graph([0, 1], []), layer: Int32Array.from([0, 7]) })).toThrow(/node 1 is in layer 7/)
    expect(() => layoutGraph(graph([0, 1], [[0, 9]]))).toThrow(/edge 0 joins 0 and 9/)
  })

  it('handles an empty graph', () => {
    const result = layoutGraph(graph([], []))
    expect(result.crossings).toBe(0)
    expect(result.x).toHaveLength(0)
  })

  it('on random layered graphs: no overlapping nodes, every edge joins its nodes, crossings counted right', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }).chain((n) =>
          fc.record({
            layers: fc.array(fc.integer({ min: 0, max: 5 }), { minLength: n, maxLength: n }),
            edges: fc.array(fc.tuple(fc.integer({ min: 0, max: n - 1 }), fc.integer({ min: 0, max: n - 1 })), { maxLength: n * 2 }),
            heights: fc.array(fc.integer({ min: 10, max: 80 }), { minLength: n, maxLength: n }),
          }),
        ),
        ({ layers, edges, heights }) => {
          const input = { ...graph(layers, edges), height: Float64Array.from(heights), layers: 6 }
          const result = layoutGraph(input)
          expectNoOverlap(input, result)
          expectEdgesJoinTheirNodes(input, result)
          expect(result.crossings).toBe(bruteCrossings(input, result))
          expect(result.crossings).toBeLessThanOrEqual(layoutGraph(input, { ...defaultLayoutOptions, sweeps: 0 }).crossings)
        },
      ),
      { numRuns: 150 },
    )
  })

  it('lays out a 10,000-node lineage graph without overlaps and with every edge routed', () => {
    const input = layoutInput(buildView([syntheticLineage(10_000)]))
    const result = layoutGraph(input)
    expectNoOverlap(input, result)
    expectEdgesJoinTheirNodes(input, result)
    expect(result.crossings).toBe(countDrawingCrossings(drawingColumns(input, result)))
    // Better than the time order it starts from.
    expect(result.crossings).toBeLessThan(layoutGraph(input, { ...defaultLayoutOptions, sweeps: 0 }).crossings)
  })
})

function drawingColumns(input: LayoutInput, result: LayoutResult) {
  const out: Array<{ column: number; ys: number[] }> = []
  for (let e = 0; e < result.edgeKind.length; e++) {
    if (result.edgeKind[e] === LOOP_EDGE) continue
    const from = result.edgeOffsets[e]!
    const to = result.edgeOffsets[e + 1]!
    const ys = [result.edgePoints[2 * from + 1]!]
    for (let p = from + 1; p < to - 1; p += 2) ys.push(result.edgePoints[2 * p + 1]!)
    ys.push(result.edgePoints[2 * (to - 1) + 1]!)
    out.push({ column: Math.min(input.layer[input.edges[2 * e]!]!, input.layer[input.edges[2 * e + 1]!]!), ys })
  }
  return out
}

describe('countDrawingCrossings', () => {
  it('counts swapped segments between the same columns, not shared ends', () => {
    expect(countDrawingCrossings([
      { column: 0, ys: [0, 10] },
      { column: 0, ys: [10, 0] },
    ])).toBe(1)
    // Same left end, or same right end: they meet, they do not cross.
    expect(countDrawingCrossings([
      { column: 0, ys: [0, 10] },
      { column: 0, ys: [0, 0] },
      { column: 0, ys: [5, 10] },
    ])).toBe(0)
    // Different gaps never cross.
    expect(countDrawingCrossings([
      { column: 0, ys: [0, 10] },
      { column: 1, ys: [10, 0] },
    ])).toBe(0)
    // A long edge crossing two others in two gaps.
    expect(countDrawingCrossings([
      { column: 0, ys: [0, 20, 20] },
      { column: 0, ys: [10, 10] },
      { column: 1, ys: [30, 0] },
    ])).toBe(2)
  })
})
