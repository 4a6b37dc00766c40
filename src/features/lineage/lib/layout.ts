/**
 * Layered layout of a lineage graph, left to right. Pure and iterative (no recursion, so 10,000 nodes cannot
 * overflow the stack), on typed arrays so that it runs in a Web Worker and its input and result cross the worker
 * boundary without copying.
 *
 * The layers of a lineage graph are known from the node types (sources, builds, artifacts, evidence, deployments,
 * environments), so the usual first phase of a Sugiyama layout, layering, is free. What remains:
 * 1. edges spanning more than one layer get a dummy vertex in each layer they pass, so every segment joins
 *    neighbouring layers (edges inside one layer, such as an artifact depending on another, are drawn as loops and
 *    take no part in ordering);
 * 2. crossing reduction: each layer starts in the order of its seed (time: lineage flows forwards in time, which is
 *    already a good order), then median and barycenter sweeps with transpose passes; the best order found is kept;
 * 3. coordinates: each layer is a column; within it the vertices' positions are the weighted least-squares fit
 *    to their neighbours' positions under the constraint that consecutive vertices keep their order and a minimum
 *    gap (pool-adjacent-violators, linear time), so nodes never overlap;
 * 4. edge routes through the dummies' positions.
 */

export type LayoutInput = {
  /** Number of layers (columns). */
  layers: number
  /** Layer of each node, 0-based. */
  layer: Int32Array
  /** Initial order key of each node within its layer (time, for a lineage graph); ties keep input order. */
  seed: Float64Array
  /** Height of each node. */
  height: Float64Array
  /** Edges as node index pairs: [source0, target0, source1, target1, …]. Either end may be on the left. */
  edges: Int32Array
}

export type LayoutOptions = {
  nodeWidth: number
  /** Horizontal space between columns, where the edges run. */
  layerGap: number
  /** Vertical space between two nodes of a column. */
  nodeGap: number
  /** Vertical space between an edge passing through a column and its neighbours. */
  dummyGap: number
  /** Most ordering sweeps; the loop also stops after four sweeps that found nothing better. */
  sweeps: number
  margin: number
}

export const defaultLayoutOptions: LayoutOptions = {
  nodeWidth: 220,
  layerGap: 120,
  nodeGap: 14,
  dummyGap: 6,
  sweeps: 24,
  margin: 24,
}

export type EdgeKind = 0 | 1
/** An edge between two layers, drawn left to right through its points. */
export const FLOW_EDGE: EdgeKind = 0
/** An edge inside one layer, drawn as a loop on the column's right side. */
export const LOOP_EDGE: EdgeKind = 1

export type LayoutResult = {
  /** Left side of each node. */
  x: Float64Array
  /** Vertical centre of each node. */
  y: Float64Array
  /** Position of each node within its layer, top to bottom. */
  order: Int32Array
  width: number
  height: number
  /** Edge i's points are edgePoints[2*edgeOffsets[i] …2*edgeOffsets[i+1]) as x, y pairs, left to right. */
  edgeOffsets: Int32Array
  edgePoints: Float64Array
  edgeKind: Uint8Array
  /** Edge crossings of the result, counted between neighbouring layers (dummies included, loops excluded). */
  crossings: number
  /** Vertices including dummies, for figures. */
  vertices: number
}

/** The layered graph the phases work on: real nodes first, then dummies. */
type Proper = {
  vertexCount: number
  layer: Int32Array
  seed: Float64Array
  height: Float64Array
  isDummy: Uint8Array
  /** CSR adjacency to the layer above (left) and below (right). */
  upStart: Int32Array
  up: Int32Array
  downStart: Int32Array
  down: Int32Array
  /** Each edge's chain of vertices, left to right: chain[chainStart[e] … chainStart[e+1]). Loops: both ends. */
  chainStart: Int32Array
  chain: Int32Array
  edgeKind: Uint8Array
}

export function layoutGraph(input: LayoutInput, options: LayoutOptions = defaultLayoutOptions): LayoutResult {
  const graph = properGraph(input)
  const layers = initialOrder(graph, input.layers)
  const pos = new Int32Array(graph.vertexCount)
  for (const layer of layers) layer.forEach((vertex, index) => (pos[vertex] = index))
  const crossings = reduceCrossings(graph, layers, pos, options.sweeps)
  const y = assignY(graph, layers, options)
  return route(graph, input, layers, pos, y, crossings, options)
}

function properGraph(input: LayoutInput): Proper {
  const n = input.layer.length
  const edgeCount = input.edges.length >> 1
  for (let node = 0; node < n; node++) {
    const layer = input.layer[node]!
    if (!(layer >= 0 && layer < input.layers)) throw new RangeError(`node ${node} is in layer ${layer}, outside 0…${input.layers - 1}`)
  }
  let dummies = 0
  let chainLength = 0
  for (let e = 0; e < edgeCount; e++) {
    const a = input.edges[2 * e]!
    const b = input.edges[2 * e + 1]!
    if (!(a >= 0 && a < n && b >= 0 && b < n)) throw new RangeError(`edge ${e} joins ${a} and ${b}, not both nodes`)
    const span = Math.abs(input.layer[a]! - input.layer[b]!)
    dummies += Math.max(0, span - 1)
    chainLength += Math.max(2, span + 1)
  }
  const vertexCount = n + dummies
  const layer = new Int32Array(vertexCount)
  const seed = new Float64Array(vertexCount)
  const height = new Float64Array(vertexCount)
  const isDummy = new Uint8Array(vertexCount)
  layer.set(input.layer)
  seed.set(input.seed)
  height.set(input.height)
  const chainStart = new Int32Array(edgeCount + 1)
  const chain = new Int32Array(chainLength)
  const edgeKind = new Uint8Array(edgeCount)
  // Segments between neighbouring layers, upper (left) vertex first.
  const segmentCount = chainLength - edgeCount
  const segUpper = new Int32Array(segmentCount)
  const segLower = new Int32Array(segmentCount)
  let segments = 0
  let next = n
  let at = 0
  for (let e = 0; e < edgeCount; e++) {
    let a = input.edges[2 * e]!
    let b = input.edges[2 * e + 1]!
    if (input.layer[a]! > input.layer[b]!) [a, b] = [b, a]
    chainStart[e] = at
    const from = input.layer[a]!
    const to = input.layer[b]!
    chain[at++] = a
    if (from === to) {
      edgeKind[e] = LOOP_EDGE
      chain[at++] = b
      continue
    }
    let previous = a
    for (let l = from + 1; l < to; l++) {
      const dummy = next++
      layer[dummy] = l
      // Between its ends' seeds, so the initial order puts it near them.
      seed[dummy] = (input.seed[a]! + input.seed[b]!) / 2
      isDummy[dummy] = 1
      chain[at++] = dummy
      segUpper[segments] = previous
      segLower[segments++] = dummy
      previous = dummy
    }
    chain[at++] = b
    segUpper[segments] = previous
    segLower[segments++] = b
  }
  chainStart[edgeCount] = at
  const upStart = new Int32Array(vertexCount + 1)
  const downStart = new Int32Array(vertexCount + 1)
  for (let s = 0; s < segments; s++) {
    upStart[segLower[s]! + 1]!++
    downStart[segUpper[s]! + 1]!++
  }
  for (let v = 0; v < vertexCount; v++) {
    upStart[v + 1]! += upStart[v]!
    downStart[v + 1]! += downStart[v]!
  }
  const up = new Int32Array(segments)
  const down = new Int32Array(segments)
  const upFill = upStart.slice(0, vertexCount)
  const downFill = downStart.slice(0, vertexCount)
  for (let s = 0; s < segments; s++) {
    up[upFill[segLower[s]!]!++] = segUpper[s]!
    down[downFill[segUpper[s]!]!++] = segLower[s]!
  }
  return { vertexCount, layer, seed, height, isDummy, upStart, up, downStart, down, chainStart, chain, edgeKind }
}

function initialOrder(graph: Proper, layerCount: number): Int32Array[] {
  const sizes = new Int32Array(layerCount)
  for (let v = 0; v < graph.vertexCount; v++) sizes[graph.layer[v]!]!++
  const layers = Array.from(sizes, (size) => new Int32Array(size))
  const fill = new Int32Array(layerCount)
  for (let v = 0; v < graph.vertexCount; v++) {
    const l = graph.layer[v]!
    layers[l]![fill[l]!++] = v
  }
  const seed = graph.seed
  for (const layer of layers) layer.sort((a, b) => seed[a]! - seed[b]! || a - b)
  return layers
}

// ---------- crossing reduction ----------

function reduceCrossings(graph: Proper, layers: Int32Array[], pos: Int32Array, sweeps: number): number {
  const tree = new Int32Array(maxLayerSize(layers) + 1)
  const scratch = new Int32Array(maxDegree(graph) + 1)
  const count = () => totalCrossings(graph, layers, pos, tree, scratch)
  let best = count()
  let bestLayers = layers.map((layer) => layer.slice())
  const key = new Float64Array(graph.vertexCount)
  let stale = 0
  for (let sweep = 0; sweep < sweeps && best > 0 && stale < 4; sweep++) {
    const downward = sweep % 2 === 0
    // Medians resist outliers, barycenters break their ties; alternating between them finds more than either.
    const median = sweep % 4 < 2
    if (downward) for (let l = 1; l < layers.length; l++) reorder(layers[l]!, pos, key, graph.upStart, graph.up, median, scratch)
    else for (let l = layers.length - 2; l >= 0; l--) reorder(layers[l]!, pos, key, graph.downStart, graph.down, median, scratch)
    transpose(graph, layers, pos)
    const crossings = count()
    if (crossings < best) {
      best = crossings
      bestLayers = layers.map((layer) => layer.slice())
      stale = 0
    } else stale++
  }
  bestLayers.forEach((layer, l) => {
    layers[l] = layer
    layer.forEach((vertex, index) => (pos[vertex] = index))
  })
  return best
}

/**
 * One layer sorted by its vertices' median (or barycenter) position in the fixed neighbouring layer. Vertices
 * without neighbours there keep their places, so an unconnected vertex does not drift to one end.
 */
function reorder(
  layer: Int32Array,
  pos: Int32Array,
  key: Float64Array,
  start: Int32Array,
  neighbours: Int32Array,
  median: boolean,
  scratch: Int32Array,
): void {
  let movable = 0
  for (const v of layer) {
    const from = start[v]!
    const to = start[v + 1]!
    const degree = to - from
    if (degree === 0) {
      key[v] = Number.NaN
      continue
    }
    movable++
    if (!median || degree === 1) {
      let sum = 0
      for (let i = from; i < to; i++) sum += pos[neighbours[i]!]!
      key[v] = sum / degree
      continue
    }
    for (let i = from; i < to; i++) scratch[i - from] = pos[neighbours[i]!]!
    const sorted = scratch.subarray(0, degree).sort()
    const mid = degree >> 1
    key[v] = degree % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
  }
  if (movable === 0) return
  const moving = new Int32Array(movable)
  let m = 0
  for (const v of layer) if (!Number.isNaN(key[v])) moving[m++] = v
  moving.sort((a, b) => key[a]! - key[b]! || pos[a]! - pos[b]!)
  m = 0
  for (let i = 0; i < layer.length; i++) {
    if (!Number.isNaN(key[layer[i]!])) layer[i] = moving[m++]!
    pos[layer[i]!] = i
  }
}

/** Swaps neighbouring vertices while that removes crossings (both sides counted), a few passes at most. */
function transpose(graph: Proper, layers: Int32Array[], pos: Int32Array): void {
  for (let pass = 0; pass < 4; pass++) {
    let improved = false
    for (const layer of layers) {
      for (let i = 0; i + 1 < layer.length; i++) {
        const u = layer[i]!
        const v = layer[i + 1]!
        const up = pairCrossings(u, v, graph.upStart, graph.up, pos)
        let keep = up[0]
        let swap = up[1]
        const down = pairCrossings(u, v, graph.downStart, graph.down, pos)
        keep += down[0]
        swap += down[1]
        if (swap < keep) {
          layer[i] = v
          layer[i + 1] = u
          pos[v] = i
          pos[u] = i + 1
          improved = true
        }
      }
    }
    if (!improved) return
  }
}

// Reused between calls (the transpose loop runs millions of times); read both values before the next call.
const pairResult: [number, number] = [0, 0]
/** Crossings between u's and v's segments on one side with u above v, and with v above u. */
function pairCrossings(u: number, v: number, start: Int32Array, neighbours: Int32Array, pos: Int32Array): [number, number] {
  let uv = 0
  let vu = 0
  const uFrom = start[u]!
  const uTo = start[u + 1]!
  const vFrom = start[v]!
  const vTo = start[v + 1]!
  // Two hubs side by side would cost degree² here; such a pair is left as the sweeps put it.
  if ((uTo - uFrom) * (vTo - vFrom) > 250_000) {
    pairResult[0] = 0
    pairResult[1] = 0
    return pairResult
  }
  for (let i = uFrom; i < uTo; i++) {
    const a = pos[neighbours[i]!]!
    for (let j = vFrom; j < vTo; j++) {
      const b = pos[neighbours[j]!]!
      if (a > b) uv++
      else if (a < b) vu++
    }
  }
  pairResult[0] = uv
  pairResult[1] = vu
  return pairResult
}

function totalCrossings(graph: Proper, layers: Int32Array[], pos: Int32Array, tree: Int32Array, scratch: Int32Array): number {
  let total = 0
  for (let l = 0; l + 1 < layers.length; l++) total += layerCrossings(layers[l]!, layers[l + 1]!.length, graph.downStart, graph.down, pos, tree, scratch)
  return total
}

/**
 * Crossings between two neighbouring layers in O(E log V) (Barth, Jünger and Mutzel): the lower ends of the
 * segments, taken in the order of their upper ends, and the inversions among them counted with a Fenwick tree.
 */
function layerCrossings(
  upper: Int32Array,
  lowerSize: number,
  downStart: Int32Array,
  down: Int32Array,
  pos: Int32Array,
  tree: Int32Array,
  scratch: Int32Array,
): number {
  tree.fill(0, 0, lowerSize + 1)
  let inserted = 0
  let crossings = 0
  for (const u of upper) {
    const from = downStart[u]!
    const degree = downStart[u + 1]! - from
    if (degree === 0) continue
    for (let i = 0; i < degree; i++) scratch[i] = pos[down[from + i]!]!
    const ends = degree > 1 ? scratch.subarray(0, degree).sort() : scratch
    for (let i = 0; i < degree; i++) {
      const p = ends[i]! + 1
      // Segments already placed that end strictly below this one cross it.
      let atMost = 0
      for (let k = p; k > 0; k -= k & -k) atMost += tree[k]!
      crossings += inserted - atMost
    }
    for (let i = 0; i < degree; i++) {
      for (let k = ends[i]! + 1; k <= lowerSize; k += k & -k) tree[k]!++
      inserted++
    }
  }
  return crossings
}

function maxLayerSize(layers: Int32Array[]): number {
  let max = 0
  for (const layer of layers) max = Math.max(max, layer.length)
  return max
}

function maxDegree(graph: Proper): number {
  let max = 0
  for (let v = 0; v < graph.vertexCount; v++) {
    max = Math.max(max, graph.upStart[v + 1]! - graph.upStart[v]!, graph.downStart[v + 1]! - graph.downStart[v]!)
  }
  return max
}

// ---------- coordinates ----------

function assignY(graph: Proper, layers: Int32Array[], options: LayoutOptions): Float64Array {
  const y = new Float64Array(graph.vertexCount)
  const maxSize = maxLayerSize(layers)
  const work = {
    offset: new Float64Array(maxSize),
    target: new Float64Array(maxSize),
    weight: new Float64Array(maxSize),
    blockStart: new Int32Array(maxSize),
    blockWeight: new Float64Array(maxSize),
    blockMean: new Float64Array(maxSize),
  }
  // Packed columns, each centred on zero.
  for (const layer of layers) {
    const offsets = separations(layer, graph, options, work.offset)
    const middle = layer.length > 0 ? offsets[layer.length - 1]! / 2 : 0
    for (let i = 0; i < layer.length; i++) y[layer[i]!] = offsets[i]! - middle
  }
  for (let round = 0; round < 8; round++) {
    const downward = round % 2 === 0
    if (downward) for (let l = 1; l < layers.length; l++) fitLayer(layers[l]!, graph, y, options, work, graph.upStart, graph.up, round === 7)
    else for (let l = layers.length - 2; l >= 0; l--) fitLayer(layers[l]!, graph, y, options, work, graph.downStart, graph.down, round === 7)
  }
  // A last pass against both sides settles each column between its neighbours.
  for (let l = 0; l < layers.length; l++) fitLayer(layers[l]!, graph, y, options, work, graph.upStart, graph.up, true)
  return y
}

/** Cumulative minimum offsets of a column's vertices from its first one. */
function separations(layer: Int32Array, graph: Proper, options: LayoutOptions, out: Float64Array): Float64Array {
  let offset = 0
  for (let i = 0; i < layer.length; i++) {
    if (i > 0) {
      const a = layer[i - 1]!
      const b = layer[i]!
      const gap = graph.isDummy[a] || graph.isDummy[b] ? options.dummyGap : options.nodeGap
      offset += (graph.height[a]! + graph.height[b]!) / 2 + gap
    }
    out[i] = offset
  }
  return out
}

/**
 * Places one column's vertices as near as their order and gaps allow to the mean position of their neighbours on
 * one side (or both, with `bothSides`): weighted isotonic regression by pool-adjacent-violators on positions
 * shifted by the cumulative gaps, which is exact and linear.
 */
function fitLayer(
  layer: Int32Array,
  graph: Proper,
  y: Float64Array,
  options: LayoutOptions,
  work: { offset: Float64Array; target: Float64Array; weight: Float64Array; blockStart: Int32Array; blockWeight: Float64Array; blockMean: Float64Array },
  start: Int32Array,
  neighbours: Int32Array,
  bothSides: boolean,
): void {
  const size = layer.length
  if (size === 0) return
  const offsets = separations(layer, graph, options, work.offset)
  for (let i = 0; i < size; i++) {
    const v = layer[i]!
    let sum = 0
    let degree = 0
    for (let k = start[v]!; k < start[v + 1]!; k++) {
      sum += y[neighbours[k]!]!
      degree++
    }
    if (bothSides) {
      const other = start === graph.upStart ? graph.downStart : graph.upStart
      const otherNeighbours = start === graph.upStart ? graph.down : graph.up
      for (let k = other[v]!; k < other[v + 1]!; k++) {
        sum += y[otherNeighbours[k]!]!
        degree++
      }
    }
    // An edge passing through a column pulls harder: long edges drawn straight are easiest to follow.
    const pull = graph.isDummy[v] ? 4 : 1
    if (degree === 0) {
      work.target[i] = y[v]! - offsets[i]!
      work.weight[i] = 0.01
    } else {
      work.target[i] = sum / degree - offsets[i]!
      work.weight[i] = pull * degree
    }
  }
  let blocks = 0
  for (let i = 0; i < size; i++) {
    let weight = work.weight[i]!
    let mean = work.target[i]!
    let begin = i
    while (blocks > 0 && work.blockMean[blocks - 1]! >= mean) {
      const previous = blocks - 1
      const merged = work.blockWeight[previous]! + weight
      mean = (work.blockMean[previous]! * work.blockWeight[previous]! + mean * weight) / merged
      weight = merged
      begin = work.blockStart[previous]!
      blocks--
    }
    work.blockStart[blocks] = begin
    work.blockWeight[blocks] = weight
    work.blockMean[blocks] = mean
    blocks++
  }
  for (let b = 0; b < blocks; b++) {
    const end = b + 1 < blocks ? work.blockStart[b + 1]! : size
    for (let i = work.blockStart[b]!; i < end; i++) y[layer[i]!] = work.blockMean[b]! + offsets[i]!
  }
}

// ---------- routes ----------

function route(
  graph: Proper,
  input: LayoutInput,
  layers: Int32Array[],
  pos: Int32Array,
  vertexY: Float64Array,
  crossings: number,
  options: LayoutOptions,
): LayoutResult {
  const n = input.layer.length
  let top = Number.POSITIVE_INFINITY
  let bottom = Number.NEGATIVE_INFINITY
  for (let v = 0; v < graph.vertexCount; v++) {
    top = Math.min(top, vertexY[v]! - graph.height[v]! / 2)
    bottom = Math.max(bottom, vertexY[v]! + graph.height[v]! / 2)
  }
  if (graph.vertexCount === 0) {
    top = 0
    bottom = 0
  }
  const shift = options.margin - top
  // Columns start at the first layer anything is in and end at the last: a graph of commits, builds and artifacts
  // alone is not drawn beside empty columns for evidence and deployments, which made a fit show it small and aside.
  const firstLayer = Math.max(0, layers.findIndex((members) => members.length > 0))
  const lastLayer = Math.max(firstLayer, layers.findLastIndex((members) => members.length > 0))
  const column = (layer: number) => options.margin + (layer - firstLayer) * (options.nodeWidth + options.layerGap)
  const x = new Float64Array(n)
  const y = new Float64Array(n)
  const order = new Int32Array(n)
  for (let v = 0; v < n; v++) {
    x[v] = column(graph.layer[v]!)
    y[v] = vertexY[v]! + shift
    order[v] = pos[v]!
  }
  const edgeCount = graph.edgeKind.length
  const edgeOffsets = new Int32Array(edgeCount + 1)
  let points = 0
  for (let e = 0; e < edgeCount; e++) {
    edgeOffsets[e] = points
    const length = graph.chainStart[e + 1]! - graph.chainStart[e]!
    // Ends take one point each, a dummy two (where the edge enters and leaves its column); a loop three.
    points += graph.edgeKind[e] === LOOP_EDGE ? 3 : 2 + 2 * (length - 2)
  }
  edgeOffsets[edgeCount] = points
  const edgePoints = new Float64Array(points * 2)
  const width = options.nodeWidth
  for (let e = 0; e < edgeCount; e++) {
    let p = edgeOffsets[e]! * 2
    const from = graph.chainStart[e]!
    const to = graph.chainStart[e + 1]!
    const first = graph.chain[from]!
    const last = graph.chain[to - 1]!
    if (graph.edgeKind[e] === LOOP_EDGE) {
      const right = column(graph.layer[first]!) + width
      edgePoints[p++] = right
      edgePoints[p++] = vertexY[first]! + shift
      edgePoints[p++] = right + Math.min(options.layerGap * 0.45, 12 + Math.abs(vertexY[first]! - vertexY[last]!) * 0.15)
      edgePoints[p++] = (vertexY[first]! + vertexY[last]!) / 2 + shift
      edgePoints[p++] = right
      edgePoints[p++] = vertexY[last]! + shift
      continue
    }
    edgePoints[p++] = column(graph.layer[first]!) + width
    edgePoints[p++] = vertexY[first]! + shift
    for (let k = from + 1; k < to - 1; k++) {
      const dummy = graph.chain[k]!
      const left = column(graph.layer[dummy]!)
      edgePoints[p++] = left
      edgePoints[p++] = vertexY[dummy]! + shift
      edgePoints[p++] = left + width
      edgePoints[p++] = vertexY[dummy]! + shift
    }
    edgePoints[p++] = column(graph.layer[last]!)
    edgePoints[p++] = vertexY[last]! + shift
  }
  return {
    x,
    y,
    order,
    width: Math.max(0, column(lastLayer) + width + options.margin),
    height: bottom - top + 2 * options.margin,
    edgeOffsets,
    edgePoints,
    edgeKind: graph.edgeKind,
    crossings,
    vertices: graph.vertexCount,
  }
}
