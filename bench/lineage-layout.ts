/**
 * Lineage layout (issue 9): time of one layout call at 1,000, 5,000 and 10,000 nodes (1.5 edges per node), warm,
 * with its edge crossings; at 1,000 nodes the same graph laid out by dagre (tight-tree ranker, its fastest),
 * crossings counted for both drawings by one yardstick (segment order swaps between neighbouring columns).
 *
 * BENCH_LAYOUT_RUNS changes the runs per size (default 5, after one warm-up); BENCH_DAGRE=0 skips dagre.
 */
import dagre, { type EdgeLabel, type GraphLabel, type NodeLabel } from '@dagrejs/dagre'
import { countDrawingCrossings } from '../src/features/lineage/lib/drawing-crossings'
import { layoutGraph, type LayoutInput, type LayoutResult } from '../src/features/lineage/lib/layout'
import { buildView } from '../src/features/lineage/lib/lineage-view'
import { layoutInput } from '../src/features/lineage/lib/scene'
import { syntheticLineage } from '../src/features/lineage/lib/synthetic-lineage'
import { ms, percentile } from './stats'

const RUNS = Number(process.env.BENCH_LAYOUT_RUNS ?? 5)

function timed(input: LayoutInput): { result: LayoutResult; times: number[] } {
  let result = layoutGraph(input)
  const times: number[] = []
  for (let run = 0; run < RUNS; run++) {
    const started = performance.now()
    result = layoutGraph(input)
    times.push(performance.now() - started)
  }
  return { result, times }
}

/** Each edge's vertical position at every column it passes, from our result's routes. */
function ourColumns(input: LayoutInput, result: LayoutResult) {
  const out: Array<{ column: number; ys: number[] }> = []
  for (let e = 0; e < result.edgeKind.length; e++) {
    if (result.edgeKind[e] !== 0) continue
    const a = input.edges[2 * e]!
    const b = input.edges[2 * e + 1]!
    const left = Math.min(input.layer[a]!, input.layer[b]!)
    const ys: number[] = []
    // Points: the left end, two per column passed, the right end; one y per column.
    const from = result.edgeOffsets[e]!
    const to = result.edgeOffsets[e + 1]!
    ys.push(result.edgePoints[2 * from + 1]!)
    for (let p = from + 1; p < to - 1; p += 2) ys.push(result.edgePoints[2 * p + 1]!)
    ys.push(result.edgePoints[2 * (to - 1) + 1]!)
    out.push({ column: left, ys })
  }
  return out
}

function dagreLayout(input: LayoutInput): { ms: number; crossings: number } {
  const graph = new dagre.graphlib.Graph<GraphLabel, NodeLabel, EdgeLabel>()
  graph.setGraph({ rankdir: 'LR', ranker: 'tight-tree', nodesep: 14, ranksep: 120 })
  graph.setDefaultEdgeLabel(() => ({}))
  for (let v = 0; v < input.layer.length; v++) graph.setNode(String(v), { width: 220, height: input.height[v]! })
  const kept: Array<[number, number]> = []
  for (let e = 0; e < input.edges.length / 2; e++) {
    let a = input.edges[2 * e]!
    let b = input.edges[2 * e + 1]!
    if (input.layer[a] === input.layer[b]) continue // loops take no part in either count
    if (input.layer[a]! > input.layer[b]!) [a, b] = [b, a]
    // minlen keeps dagre's ranks the layers ours come from, so both lay out the same layered graph.
    graph.setEdge(String(a), String(b), { minlen: input.layer[b]! - input.layer[a]! })
    kept.push([a, b])
  }
  const started = performance.now()
  dagre.layout(graph)
  const elapsed = performance.now() - started
  // Columns from dagre's x: ranks are evenly spaced.
  const xs = [...new Set(graph.nodes().map((id) => Math.round(at(graph.node(id)).x)))].sort((p, q) => p - q)
  const rank = new Map(xs.map((x, index) => [x, index]))
  const columns: Array<{ column: number; ys: number[] }> = []
  const seen = new Set<string>()
  for (const [a, b] of kept) {
    const key = `${a}-${b}`
    if (seen.has(key)) continue // graphlib keeps one edge per pair; ours may hold parallel ones, drop them alike
    seen.add(key)
    const from = at(graph.node(String(a)))
    const to = at(graph.node(String(b)))
    // One y per column the edge passes, read off dagre's polyline (its bend points sit on the dummy columns).
    columns.push({ column: rank.get(Math.round(from.x))!, ys: resample(from, to, graph.edge(String(a), String(b)).points ?? [], xs) })
  }
  return { ms: elapsed, crossings: countDrawingCrossings(columns) }
}

/** A laid-out node's centre (dagre sets x and y on every node). */
function at(node: NodeLabel): { x: number; y: number } {
  if (node.x === undefined || node.y === undefined) throw new Error('dagre left a node without a position')
  return { x: node.x, y: node.y }
}

/** An edge's y at each column between its ends, read off its polyline. */
function resample(from: { x: number; y: number }, to: { x: number; y: number }, points: Array<{ x: number; y: number }>, xs: number[]): number[] {
  const line = [from, ...points, to].sort((p, q) => p.x - q.x)
  return xs
    .filter((x) => x >= Math.round(from.x) && x <= Math.round(to.x))
    .map((x) => {
      for (let i = 0; i + 1 < line.length; i++) {
        const p = line[i]!
        const q = line[i + 1]!
        if (x >= p.x && x <= q.x) return q.x === p.x ? p.y : p.y + ((q.y - p.y) * (x - p.x)) / (q.x - p.x)
      }
      return x <= from.x ? from.y : to.y
    })
}

function dedupe(input: LayoutInput): LayoutInput {
  // dagre's graph keeps one edge per ordered pair; give ours the same edges so the counts compare like for like.
  const seen = new Set<string>()
  const edges: number[] = []
  for (let e = 0; e < input.edges.length / 2; e++) {
    const a = input.edges[2 * e]!
    const b = input.edges[2 * e + 1]!
    const key = input.layer[a]! <= input.layer[b]! ? `${a}-${b}` : `${b}-${a}`
    if (seen.has(key)) continue
    seen.add(key)
    edges.push(a, b)
  }
  return { ...input, edges: Int32Array.from(edges) }
}

console.log(`bench: lineage layout, synthetic six-layer graphs with 1.5 edges per node, ${RUNS} runs each after a warm-up, Node ${process.version}`)
for (const size of [1000, 5000, 10_000]) {
  const view = buildView([syntheticLineage(size)])
  const input = dedupe(layoutInput(view))
  const { result, times } = timed(input)
  const budget = size === 5000 ? ' (budget 200 ms)' : size === 10_000 ? ' (budget 500 ms)' : ''
  const seedOrder = layoutGraph(input, { ...defaultOptions(), sweeps: 0 }).crossings
  console.log(
    `layout ${size.toLocaleString('en')} nodes / ${(input.edges.length / 2).toLocaleString('en')} edges: median ${ms(percentile(times, 50))}, max ${ms(Math.max(...times))}${budget}; ` +
      `crossings ${result.crossings.toLocaleString('en')} (drawing: ${countDrawingCrossings(ourColumns(input, result)).toLocaleString('en')}; time order alone ${seedOrder.toLocaleString('en')}); ${result.vertices.toLocaleString('en')} vertices with dummies`,
  )
  if (size === 1000 && process.env.BENCH_DAGRE !== '0') {
    const d = dagreLayout(input)
    console.log(`dagre 3 (tight-tree), same ${size.toLocaleString('en')}-node graph: ${ms(d.ms)}, crossings ${d.crossings.toLocaleString('en')}`)
  }
}

function defaultOptions() {
  return { nodeWidth: 220, layerGap: 120, nodeGap: 14, dummyGap: 6, sweeps: 24, margin: 24 }
}
